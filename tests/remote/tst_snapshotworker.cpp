// SnapshotWorker on a worker QThread, as the GUI will use it: progress and the built snapshot arrive as
// signals on the GUI thread; failures arrive with their code.
#include "remote/commandplan.h"
#include "remote/fakehostsession.h"
#include "remote/snapshotworker.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

namespace {

remote::SessionFactory fakeHost(bool refuse)
{
    return [refuse](remote::CancelTokenPtr) -> std::unique_ptr<remote::HostSession> {
        auto host = std::make_unique<remote::FakeHostSession>("root", "fw1", 22);
        if (refuse)
            host->setOpenError(
                remote::sessionError(remote::ErrorCode::HostKeyChanged, "The host key of fw1 has CHANGED."));
        host->setOutput(
            remote::probeCommand(), { "0\nhostname /usr/bin/hostname\niptables-save /usr/sbin/iptables-save\n" });
        host->setOutput("/usr/bin/hostname", { "fw1\n" });
        host->setOutput(
            "/usr/sbin/iptables-save -c", { "*filter\n:INPUT ACCEPT [0:0]\n[1:60] -A INPUT -j ACCEPT\nCOMMIT\n" });
        return host;
    };
}

} // namespace

class TestSnapshotWorker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void capturesOnAWorkerThread()
    {
        QThread thread;
        auto* worker = new remote::SnapshotWorker(fakeHost(false), {});
        worker->moveToThread(&thread);
        connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        QSignalSpy progressed(worker, &remote::SnapshotWorker::progressed);
        QSignalSpy captured(worker, &remote::SnapshotWorker::captured);
        QSignalSpy failed(worker, &remote::SnapshotWorker::failed);
        thread.start();
        QMetaObject::invokeMethod(worker, &remote::SnapshotWorker::run, Qt::QueuedConnection);
        QVERIFY(captured.wait(5000));
        QCOMPARE(failed.count(), 0);
        QVERIFY(progressed.count() > 5);
        const auto snapshot = captured.first().at(0).value<model::SnapshotPtr>();
        QVERIFY(snapshot && snapshot->ipv4);
        QCOMPARE(snapshot->meta.hostname, std::string("fw1"));
        QVERIFY(snapshot->source(model::SourceKind::DockerInfo)->absent);
        thread.quit();
        thread.wait();
    }

    void failureCarriesItsCode()
    {
        QThread thread;
        auto* worker = new remote::SnapshotWorker(fakeHost(true), {});
        worker->moveToThread(&thread);
        connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        QSignalSpy failed(worker, &remote::SnapshotWorker::failed);
        thread.start();
        QMetaObject::invokeMethod(worker, &remote::SnapshotWorker::run, Qt::QueuedConnection);
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<remote::ErrorCode>(), remote::ErrorCode::HostKeyChanged);
        QVERIFY(failed.first().at(1).toString().contains(QLatin1String("CHANGED")));
        thread.quit();
        thread.wait();
    }
};

QTEST_GUILESS_MAIN(TestSnapshotWorker)
#include "tst_snapshotworker.moc"
