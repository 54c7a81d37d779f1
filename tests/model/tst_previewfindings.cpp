// The upgrade preview's promise: predicting Docker 28 from the demo's "before" snapshot shows the same findings,
// and the same flows, as the demo's real "after" snapshot.
#include "model/diff/flowdiff.h"
#include "model/findings/finding.h"
#include "model/predict/dockerrelease.h"
#include "model/predict/upgradepreview.h"
#include "model/snapshotfile.h"

#include <QTest>

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name));
    return loaded ? *loaded : nullptr;
}

std::vector<std::string> ids(const std::vector<model::findings::Finding>& findings)
{
    std::vector<std::string> out;
    for (const auto& f : findings)
        out.push_back(f.id);
    return out;
}

} // namespace

class TestPreviewFindings final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void predictedAfterHasTheRealAftersFindings()
    {
        const auto before = demo("before.chainsight.json");
        const auto after = demo("after.chainsight.json");
        QVERIFY(before && after);
        const auto release = model::predict::parseDockerRelease("28.5.2");
        QVERIFY(release);
        model::predict::PreviewRequest request;
        request.target = *release;
        const auto predicted = model::predict::predictSnapshot(*before, request, "before.chainsight.json");
        QVERIFY2(predicted, predicted ? "" : predicted.error().message.c_str());
        QVERIFY((*predicted)->meta.predicted);

        const auto real = model::findings::analyse(*after, before.get());
        const auto guessed = model::findings::analyse(**predicted, before.get());
        QVERIFY(!real.empty());
        QCOMPARE(ids(guessed), ids(real));

        // No connection attempt fares differently in the predicted and the real after snapshot.
        const auto diff = model::diff::computeFlowDiff(
            *model::engine::Engine::fromSnapshot(*after), *model::engine::Engine::fromSnapshot(**predicted));
        QVERIFY(diff);
        QVERIFY(!diff->changed());
    }
};

QTEST_GUILESS_MAIN(TestPreviewFindings)
#include "tst_previewfindings.moc"
