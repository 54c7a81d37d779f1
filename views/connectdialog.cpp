#include "views/connectdialog.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace views {

namespace {

    const auto RecentHostsKey = QStringLiteral("Connect/recentHosts");
    constexpr int MaxRecentHosts = 10;

    enum Page { FormPage, ProgressPage };
    enum Question { NoQuestion, HostKeyQuestionPage, SecretQuestionPage };

    QPushButton* button(const QString& text, const QString& name, QWidget* parent)
    {
        auto* b = new QPushButton(text, parent);
        b->setObjectName(name);
        b->setAutoDefault(false);
        return b;
    }

} // namespace

QStringList sshConfigHosts(const QString& configPath)
{
    QFile file(configPath);
    QStringList hosts;
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return hosts;
    static const QRegularExpression hostLine(QStringLiteral("^\\s*host\\s*(?:=|\\s)\\s*(.+)$"),
        QRegularExpression::CaseInsensitiveOption);
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const QRegularExpressionMatch match = hostLine.match(line);
        if (!match.hasMatch())
            continue;
        const QStringList names = match.captured(1).split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        for (QString name : names) {
            name.remove(QLatin1Char('"'));
            if (name.isEmpty() || name.contains(QLatin1Char('*')) || name.contains(QLatin1Char('?'))
                || name.startsWith(QLatin1Char('!')) || hosts.contains(name))
                continue;
            hosts << name;
        }
    }
    return hosts;
}

ConnectDialog::ConnectDialog(HostConnector* connector, QWidget* parent, const QString& sshConfigPath)
    : QDialog(parent)
    , m_connector(connector)
{
    Q_ASSERT(m_connector);
    setObjectName(QStringLiteral("ConnectDialog"));
    setWindowTitle(QStringLiteral("Connect to Host"));
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(buildForm());
    m_pages->addWidget(buildProgress());

    m_connect = button(QStringLiteral("&Connect"), QStringLiteral("ConnectButton"), this);
    m_connect->setDefault(true);
    m_connect->setAutoDefault(true);
    m_cancel = button(QStringLiteral("Cancel"), QStringLiteral("CancelButton"), this);
    connect(m_connect, &QPushButton::clicked, this, &ConnectDialog::connectToHost);
    connect(m_cancel, &QPushButton::clicked, this, &ConnectDialog::reject);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_connect);
    buttons->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_pages, 1);
    layout->addLayout(buttons);

    QStringList hosts = recentHosts();
    const QString config = sshConfigPath.isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh/config")) : sshConfigPath;
    for (const QString& alias : sshConfigHosts(config)) {
        if (!hosts.contains(alias))
            hosts << alias;
    }
    m_host->addItems(hosts);
    m_host->setCurrentIndex(hosts.isEmpty() ? -1 : 0);

    connect(m_connector, &HostConnector::hostKeyAsked, this, &ConnectDialog::askHostKey);
    connect(m_connector, &HostConnector::secretAsked, this, &ConnectDialog::askSecret);
    connect(m_connector, &HostConnector::progressed, this, &ConnectDialog::showProgress);
    connect(m_connector, &HostConnector::finished, this, &ConnectDialog::finish);
    connect(m_connector, &HostConnector::failed, this, &ConnectDialog::fail);
    showPage(FormPage);
    resize(600, sizeHint().height());
}

ConnectDialog::~ConnectDialog()
{
    if (m_connector && m_connector->busy())
        m_connector->cancel();
}

QWidget* ConnectDialog::buildForm()
{
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    m_host = new QComboBox(page);
    m_host->setObjectName(QStringLiteral("ConnectHost"));
    m_host->setEditable(true);
    m_host->setInsertPolicy(QComboBox::NoInsert);
    m_host->lineEdit()->setPlaceholderText(QStringLiteral("alias from ~/.ssh/config, host name or address"));
    m_user = new QLineEdit(page);
    m_user->setObjectName(QStringLiteral("ConnectUser"));
    m_user->setPlaceholderText(QStringLiteral("from the ssh config, else your user name"));
    m_port = new QSpinBox(page);
    m_port->setObjectName(QStringLiteral("ConnectPort"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(QStringLiteral("default"));
    m_port->setMaximumWidth(m_port->fontMetrics().horizontalAdvance(QStringLiteral("default 65535")) + 40);
    m_identity = new QLineEdit(page);
    m_identity->setObjectName(QStringLiteral("ConnectIdentity"));
    m_identity->setPlaceholderText(QStringLiteral("from the ssh config, the agent or ~/.ssh/id_*"));
    auto* browse = new QToolButton(page);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(QStringLiteral("Choose a private key file"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, QStringLiteral("Private Key"), QDir::home().filePath(QStringLiteral(".ssh")));
        if (!path.isEmpty())
            m_identity->setText(path);
    });
    auto* identityRow = new QHBoxLayout;
    identityRow->addWidget(m_identity, 1);
    identityRow->addWidget(browse);
    form->addRow(QStringLiteral("&Host:"), m_host);
    form->addRow(QStringLiteral("&User:"), m_user);
    form->addRow(QStringLiteral("&Port:"), m_port);
    auto* identityLabel = new QLabel(QStringLiteral("&Identity file:"), page);
    identityLabel->setBuddy(m_identity);
    form->addRow(identityLabel, identityRow);
    auto* note = new QLabel(QStringLiteral("Chainsight only reads from the host (iptables-save, ip, docker inspect "
                                           "and the like), through sudo where that needs root."),
        page);
    note->setWordWrap(true);
    QPalette muted = note->palette();
    muted.setColor(QPalette::WindowText, muted.color(QPalette::PlaceholderText));
    note->setPalette(muted);
    form->addRow(note);
    m_error = new QLabel(page);
    m_error->setObjectName(QStringLiteral("ConnectError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setVisible(false);
    form->addRow(m_error);
    return page;
}

QWidget* ConnectDialog::buildProgress()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_step = new QLabel(page);
    m_step->setObjectName(QStringLiteral("ConnectStep"));
    m_progress = new QProgressBar(page);
    m_progress->setObjectName(QStringLiteral("ConnectProgress"));
    m_questions = new QStackedWidget(page);
    m_questions->addWidget(new QWidget(page));
    m_questions->addWidget(buildHostKeyPage());
    m_questions->addWidget(buildSecretPage());
    layout->addWidget(m_step);
    layout->addWidget(m_progress);
    layout->addWidget(m_questions, 1);
    return page;
}

QWidget* ConnectDialog::buildHostKeyPage()
{
    auto* page = new QWidget(this);
    page->setObjectName(QStringLiteral("HostKeyPrompt"));
    auto* layout = new QVBoxLayout(page);
    m_hostKeyText = new QLabel(page);
    m_hostKeyText->setWordWrap(true);
    m_fingerprint = new QLabel(page);
    m_fingerprint->setObjectName(QStringLiteral("HostKeyFingerprint"));
    m_fingerprint->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* hint = new QLabel(QStringLiteral("Compare it with what <tt>ssh-keygen -lf</tt> prints for the host's key "
                                           "(<tt>/etc/ssh/ssh_host_*_key.pub</tt>) before you accept it."),
        page);
    hint->setWordWrap(true);
    auto* reject = button(QStringLiteral("&Reject"), QStringLiteral("HostKeyReject"), page);
    auto* once = button(QStringLiteral("Accept &Once"), QStringLiteral("HostKeyAcceptOnce"), page);
    auto* save = button(QStringLiteral("Accept and &Save"), QStringLiteral("HostKeyAcceptSave"), page);
    save->setToolTip(QStringLiteral("Trust this key and add it to known_hosts"));
    const auto answer = [this](HostKeyAnswer a) {
        showQuestion(NoQuestion);
        m_connector->answerHostKey(a);
    };
    connect(reject, &QPushButton::clicked, this, [answer] { answer(HostKeyAnswer::Reject); });
    connect(once, &QPushButton::clicked, this, [answer] { answer(HostKeyAnswer::AcceptOnce); });
    connect(save, &QPushButton::clicked, this, [answer] { answer(HostKeyAnswer::AcceptAndSave); });
    auto* row = new QHBoxLayout;
    row->addWidget(reject);
    row->addStretch(1);
    row->addWidget(once);
    row->addWidget(save);
    layout->addWidget(m_hostKeyText);
    layout->addWidget(m_fingerprint);
    layout->addWidget(hint);
    layout->addLayout(row);
    layout->addStretch(1);
    return page;
}

QWidget* ConnectDialog::buildSecretPage()
{
    auto* page = new QWidget(this);
    page->setObjectName(QStringLiteral("SecretPrompt"));
    auto* layout = new QVBoxLayout(page);
    m_secretPrompt = new QLabel(page);
    m_secretPrompt->setObjectName(QStringLiteral("SecretPromptText"));
    m_secretPrompt->setWordWrap(true);
    m_secret = new QLineEdit(page);
    m_secret->setObjectName(QStringLiteral("SecretField"));
    m_secret->setEchoMode(QLineEdit::Password);
    auto* skip = button(QStringLiteral("S&kip"), QStringLiteral("SecretSkip"), page);
    auto* send = button(QStringLiteral("&Send"), QStringLiteral("SecretSend"), page);
    connect(m_secret, &QLineEdit::returnPressed, this, [this] { answerSecret(true); });
    connect(send, &QPushButton::clicked, this, [this] { answerSecret(true); });
    connect(skip, &QPushButton::clicked, this, [this] { answerSecret(false); });
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(skip);
    row->addWidget(send);
    layout->addWidget(m_secretPrompt);
    layout->addWidget(m_secret);
    layout->addLayout(row);
    layout->addStretch(1);
    return page;
}

namespace {

    // Only the current page of a stack counts towards its size.
    void sizeStackToCurrent(QStackedWidget* stack, int current)
    {
        for (int i = 0; i < stack->count(); ++i)
            stack->widget(i)->setSizePolicy(
                QSizePolicy::Preferred, i == current ? QSizePolicy::Preferred : QSizePolicy::Ignored);
        stack->setCurrentIndex(current);
    }

} // namespace

// The dialog is as tall as the page shown: a hidden page does not count towards its size.
void ConnectDialog::showPage(int page)
{
    sizeStackToCurrent(m_pages, page);
    fitHeight();
}

// A question (host key, secret) makes room for itself and gives it back once answered, so no empty band is left
// below the progress bar while nothing is asked.
void ConnectDialog::showQuestion(int question)
{
    sizeStackToCurrent(m_questions, question);
    fitHeight();
}

void ConnectDialog::fitHeight()
{
    if (!isVisible())
        return;
    layout()->activate();
    const int height = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width()) : sizeHint().height();
    resize(width(), std::max(height, minimumSizeHint().height()));
}

QStringList ConnectDialog::recentHosts() { return QSettings().value(RecentHostsKey).toStringList(); }

void ConnectDialog::rememberHost(const QString& host)
{
    QStringList hosts = recentHosts();
    hosts.removeAll(host);
    hosts.prepend(host);
    QSettings().setValue(RecentHostsKey, hosts.mid(0, MaxRecentHosts));
}

void ConnectDialog::setRequest(const ConnectRequest& request)
{
    m_host->setCurrentText(request.host);
    m_user->setText(request.user);
    m_port->setValue(request.port);
    m_identity->setText(request.identityFile);
}

ConnectRequest ConnectDialog::request() const
{
    return { m_host->currentText().trimmed(), m_user->text().trimmed(), m_port->value(), m_identity->text().trimmed() };
}

QStringList ConnectDialog::offeredHosts() const
{
    QStringList hosts;
    for (int i = 0; i < m_host->count(); ++i)
        hosts << m_host->itemText(i);
    return hosts;
}

QString ConnectDialog::statusText() const
{
    return m_pages->currentIndex() == FormPage ? m_error->text() : m_step->text();
}

void ConnectDialog::connectToHost()
{
    const ConnectRequest wanted = request();
    if (wanted.host.isEmpty()) {
        m_error->setText(QStringLiteral("Name a host to connect to."));
        m_error->setVisible(true);
        return;
    }
    m_label = wanted.user.isEmpty() ? wanted.host : wanted.user + QLatin1Char('@') + wanted.host;
    m_error->setVisible(false);
    m_step->setText(QStringLiteral("Connecting to %1…").arg(m_label));
    m_progress->setRange(0, 0);
    showQuestion(NoQuestion);
    showPage(ProgressPage);
    m_connect->setEnabled(false);
    m_cancel->setText(QStringLiteral("Cancel"));
    m_connector->start(wanted);
}

void ConnectDialog::reject()
{
    if (m_connector && m_connector->busy()) {
        m_step->setText(QStringLiteral("Cancelling…"));
        m_secret->clear();
        m_connector->cancel();
        return; // failed(cancelled) brings the form back
    }
    QDialog::reject();
}

void ConnectDialog::askHostKey(const HostKeyQuestion& question)
{
    QString text = QStringLiteral("<b>%1</b> (port %2) is not a known host.").arg(question.host.toHtmlEscaped()).arg(question.port);
    if (question.knownHostsFileMissing)
        text += QStringLiteral(" There is no known_hosts file yet.");
    text += QStringLiteral(" It offers this %1 key:").arg(question.keyType.toHtmlEscaped());
    m_hostKeyText->setText(text);
    m_fingerprint->setText(question.fingerprint);
    showQuestion(HostKeyQuestionPage);
}

void ConnectDialog::askSecret(SecretKind kind, const QString& prompt, bool echo)
{
    QString what;
    switch (kind) {
    case SecretKind::KeyPassphrase:
        what = QStringLiteral("Passphrase for the key");
        break;
    case SecretKind::Password:
        what = QStringLiteral("Password for %1").arg(m_label);
        break;
    case SecretKind::SudoPassword:
        what = QStringLiteral("Reading the firewall needs root: sudo on %1 asks for your password").arg(m_label);
        break;
    }
    m_secretPrompt->setText(prompt.isEmpty() ? what : what + QStringLiteral(":\n") + prompt);
    m_secret->clear();
    m_secret->setEchoMode(echo ? QLineEdit::Normal : QLineEdit::Password);
    showQuestion(SecretQuestionPage);
    m_secret->setFocus();
}

void ConnectDialog::answerSecret(bool accepted)
{
    QByteArray bytes = accepted ? m_secret->text().toUtf8() : QByteArray();
    m_secret->clear();
    showQuestion(NoQuestion);
    m_connector->answerSecret(&bytes, accepted);
    bytes.fill('\0');
}

void ConnectDialog::showProgress(int step, int total, const QString& label)
{
    m_progress->setRange(0, total);
    m_progress->setValue(step);
    m_step->setText(QStringLiteral("Step %1 of %2: %3").arg(step).arg(total).arg(label));
}

void ConnectDialog::finish(const model::SnapshotPtr& snapshot, const QStringList& notes)
{
    rememberHost(request().host);
    m_connect->setEnabled(true);
    Q_EMIT snapshotTaken(snapshot, m_label, notes);
    accept();
}

void ConnectDialog::fail(const QString& message, const QString& detail, bool cancelled)
{
    m_secret->clear();
    m_connect->setEnabled(true);
    showPage(FormPage);
    m_error->setText(cancelled ? QStringLiteral("Cancelled: nothing was taken from the host.")
                               : (detail.isEmpty() ? message : message + QStringLiteral("\n") + detail));
    m_error->setVisible(true);
}

} // namespace views
