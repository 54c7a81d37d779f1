#include "views/previewdialog.h"

#include "model/predict/dockerrelease.h"
#include "model/predict/upgradepreview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace views {

PreviewDialog::PreviewDialog(QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("PreviewDialog"));
    setWindowTitle(QStringLiteral("Preview Docker Upgrade"));
    auto* intro = new QLabel(QStringLiteral("Predicts the iptables rules a Docker release writes on this host, from "
                                            "the snapshot's Docker state, and compares them with the snapshot."),
        this);
    intro->setWordWrap(true);
    m_version = new QComboBox(this);
    m_version->setObjectName(QStringLiteral("PreviewVersion"));
    m_version->setEditable(true);
    m_version->addItems({ QStringLiteral("28.5.2"), QStringLiteral("28.1.1"), QStringLiteral("28.0.0"),
        QStringLiteral("27.5.1") });
    m_version->setToolTip(QStringLiteral("Any release of 27.5, 28.0.0, 28.0.1–28.1.x or 28.2.x–28.5.x"));
    m_inPlace = new QCheckBox(QStringLiteral("Upgrade in place, without a reboot"), this);
    m_inPlace->setObjectName(QStringLiteral("PreviewInPlace"));
    m_inPlace->setToolTip(QStringLiteral("The old version's rules stay where the new one does not replace them"));
    auto* form = new QFormLayout;
    form->addRow(QStringLiteral("Docker release:"), m_version);
    form->addRow(m_inPlace);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

QString PreviewDialog::version() const { return m_version->currentText().trimmed(); }

bool PreviewDialog::inPlace() const { return m_inPlace->isChecked(); }

model::SnapshotPtr PreviewDialog::predict(const model::Snapshot& snapshot, const QString& sourceName, QString* error) const
{
    const auto release = model::predict::parseDockerRelease(version().toStdString());
    if (!release) {
        *error = QString::fromStdString(release.error().message);
        return nullptr;
    }
    model::predict::PreviewRequest request;
    request.target = *release;
    request.inPlace = inPlace();
    auto predicted = model::predict::predictSnapshot(snapshot, request, sourceName.toStdString());
    if (!predicted) {
        *error = QString::fromStdString(predicted.error().toString());
        return nullptr;
    }
    return *predicted;
}

} // namespace views
