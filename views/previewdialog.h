#pragma once

#include "model/snapshot.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;

namespace views {

// Snapshot ▸ Preview Docker Upgrade…: which Docker release to predict for the open snapshot, fresh boot or
// in place. The prediction itself (milliseconds) runs when the dialog is accepted.
class PreviewDialog final : public QDialog {
    Q_OBJECT
public:
    explicit PreviewDialog(QWidget* parent = nullptr);

    QString version() const;
    bool inPlace() const;
    // Predicts the snapshot for the chosen release; on failure returns null and says why in *error.
    model::SnapshotPtr predict(const model::Snapshot& snapshot, const QString& sourceName, QString* error) const;

private:
    QComboBox* m_version = nullptr;
    QCheckBox* m_inPlace = nullptr;
};

} // namespace views
