#pragma once

#include "model/snapshot.h"
#include "views/hostconnector.h"

#include <QDialog>
#include <QPointer>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace views {

// The Host aliases of an OpenSSH client config, without patterns ("*", "?", "!"), in file order.
QStringList sshConfigHosts(const QString& configPath);

// File ▸ Connect to Host…: pick a host (ssh config aliases and recent hosts), connect through a HostConnector,
// answer its questions (host key with fingerprint, key passphrase, password, sudo password) inline, follow the
// steps with Cancel, and hand the snapshot over with snapshotTaken(). Passwords are typed into password
// fields and cleared as soon as they are passed on.
class ConnectDialog final : public QDialog {
    Q_OBJECT
public:
    // connector: outlives the dialog. sshConfigPath: empty for ~/.ssh/config.
    explicit ConnectDialog(HostConnector* connector, QWidget* parent = nullptr, const QString& sshConfigPath = {});
    ~ConnectDialog() override;

    // Recent hosts, most recent first (QSettings).
    static QStringList recentHosts();

    // For tests and for pre-filling: the form fields.
    void setRequest(const ConnectRequest& request);
    ConnectRequest request() const;
    QStringList offeredHosts() const;
    QString statusText() const;

public Q_SLOTS:
    void connectToHost();
    void reject() override;

Q_SIGNALS:
    // label: "user@host" as a short name for the window title.
    void snapshotTaken(const model::SnapshotPtr& snapshot, const QString& label, const QStringList& notes);

private:
    QWidget* buildForm();
    QWidget* buildProgress();
    QWidget* buildHostKeyPage();
    QWidget* buildSecretPage();
    void showPage(int page);
    void showQuestion(int question);
    void fitHeight();
    void askHostKey(const HostKeyQuestion& question);
    void askSecret(SecretKind kind, const QString& prompt, bool echo);
    void answerSecret(bool accepted);
    void showProgress(int step, int total, const QString& label);
    void finish(const model::SnapshotPtr& snapshot, const QStringList& notes);
    void fail(const QString& message, const QString& detail, bool cancelled);
    void rememberHost(const QString& host);

    QPointer<HostConnector> m_connector;
    QStackedWidget* m_questions = nullptr;
    QStackedWidget* m_pages = nullptr;
    QComboBox* m_host = nullptr;
    QLineEdit* m_user = nullptr;
    QSpinBox* m_port = nullptr;
    QLineEdit* m_identity = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_step = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_hostKeyText = nullptr;
    QLabel* m_fingerprint = nullptr;
    QLabel* m_secretPrompt = nullptr;
    QLineEdit* m_secret = nullptr;
    QPushButton* m_connect = nullptr;
    QPushButton* m_cancel = nullptr;
    QString m_label;
};

} // namespace views
