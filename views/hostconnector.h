#pragma once

// What the Connect to Host dialog needs from whoever takes snapshots over SSH, without knowing how. The
// application implements it with the remote layer; tests implement it with a fake. All signals arrive on the
// GUI thread. While a question is pending, the connection waits for its answer (or for cancel()).

#include "model/snapshot.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

namespace views {

struct ConnectRequest {
    QString host; // an ssh config alias or a host name / address
    QString user; // empty: from the ssh config or the local user
    int port = 0; // 0: from the ssh config or 22
    QString identityFile; // empty: the ssh config, the agent and the default keys
};

struct HostKeyQuestion {
    QString host;
    int port = 22;
    QString keyType; // ssh-ed25519, ...
    QString fingerprint; // "SHA256:...", as OpenSSH prints it
    bool knownHostsFileMissing = false;
};

enum class HostKeyAnswer { Reject, AcceptOnce, AcceptAndSave };

enum class SecretKind {
    KeyPassphrase, // the passphrase of a private key
    Password, // the login password, or a keyboard-interactive prompt
    SudoPassword, // sudo's password on the host
};

class HostConnector : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~HostConnector() override = default;

    // Starts one snapshot; finished() or failed() follows, exactly once. One at a time.
    virtual void start(const ConnectRequest& request) = 0;
    // Stops the snapshot; failed() follows with cancelled set.
    virtual void cancel() = 0;
    virtual bool busy() const = 0;

    virtual void answerHostKey(HostKeyAnswer answer) = 0;
    // The answer to secretAsked. The connector copies the bytes into memory it wipes and overwrites *secret;
    // accepted false: the user declined to answer.
    virtual void answerSecret(QByteArray* secret, bool accepted) = 0;

Q_SIGNALS:
    void hostKeyAsked(const views::HostKeyQuestion& question);
    void secretAsked(views::SecretKind kind, const QString& prompt, bool echo);
    void progressed(int step, int total, const QString& label);
    void finished(const model::SnapshotPtr& snapshot, const QStringList& notes);
    void failed(const QString& message, const QString& detail, bool cancelled);
};

} // namespace views
