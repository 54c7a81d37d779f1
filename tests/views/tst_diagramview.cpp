// The Diagram view on the offscreen platform: both paths drawn, zoom and fit, SVG and PNG export, palettes.
#include "views/diagramcanvas.h"
#include "views/diagramscene.h"
#include "views/diagramview.h"

#include "model/engine/engine.h"
#include "model/snapshotfile.h"

#include <QApplication>
#include <QComboBox>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QImage>
#include <QScrollBar>
#include <QWheelEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace model::engine;
using views::DiagramView;
namespace PathBit = model::diagram::PathBit;
namespace DiagramData = views::DiagramData;

namespace {

model::SnapshotPtr demo(const char* name)
{
    auto loaded
        = model::loadSnapshotFile(QStringLiteral(CHAINSIGHT_SOURCE_DIR "/resources/demo/") + QString::fromLatin1(name));
    if (!loaded)
        qFatal("cannot load demo %s", name);
    return *loaded;
}

Packet directRouting()
{
    Packet p;
    p.inInterface = "tailscale0";
    p.header.src = *IpAddress::parse("100.64.10.20");
    p.header.dst = *IpAddress::parse("172.18.0.2");
    p.header.sport = 40000;
    p.header.dport = 80;
    return p;
}

const QString kDecidingRule = QStringLiteral("-A PREROUTING -d 172.18.0.2/32 ! -i br-897b3066eb8a -j DROP");

int countItems(const QGraphicsScene* scene, const QString& role, int bit)
{
    int n = 0;
    for (const QGraphicsItem* item : scene->items()) {
        if (item->data(DiagramData::Role).toString() == role && (item->data(DiagramData::Paths).toInt() & bit))
            ++n;
    }
    return n;
}

} // namespace

class TestDiagramView final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void showsTheDefaultFlowWithoutASelection();
    void drawsBothPathsOfAChosenFlow();
    void zoomAndFitChangeTheTransform();
    void exportsSvgWithTheDecidingRule();
    void exportsPng();
    void followsTheDarkPalette();
    void choosesAmongPossiblePaths();

private:
    void showDirectRouting(DiagramView& view);
    model::SnapshotPtr m_before;
    model::SnapshotPtr m_after;
};

void TestDiagramView::initTestCase()
{
    m_before = demo("before.chainsight.json");
    m_after = demo("after.chainsight.json");
}

void TestDiagramView::showDirectRouting(DiagramView& view)
{
    QSignalSpy shown(&view, &DiagramView::diagramShown);
    view.setSnapshots({ m_before, m_after });
    QVERIFY(shown.wait(10000));
    const Packet p = directRouting();
    view.showFlow(p, Engine::fromSnapshot(*m_before)->trace(p).primary(),
        Engine::fromSnapshot(*m_after)->trace(p).primary());
    QVERIFY(view.busy());
    QVERIFY(shown.wait(10000));
}

void TestDiagramView::showsTheDefaultFlowWithoutASelection()
{
    DiagramView view;
    QSignalSpy shown(&view, &DiagramView::diagramShown);
    view.setSnapshots({ m_before, m_after });
    QVERIFY(shown.wait(10000));
    // The published port of container web, from eth0's address: DNAT in both, delivered in both.
    QVERIFY2(view.flowText().contains(QStringLiteral("10.0.0.10:8080")), qPrintable(view.flowText()));
    QVERIFY(view.layout().node("container:web")->paths == (PathBit::Before | PathBit::After));
    QVERIFY(countItems(view.scene(), QStringLiteral("path"), PathBit::Before) > 5);
    QVERIFY(countItems(view.scene(), QStringLiteral("path"), PathBit::After) > 5);
}

void TestDiagramView::drawsBothPathsOfAChosenFlow()
{
    DiagramView view;
    showDirectRouting(view);
    // Before: through to the container. After: stopped in raw PREROUTING, which holds the deciding rule.
    const int before = countItems(view.scene(), QStringLiteral("path"), PathBit::Before);
    const int after = countItems(view.scene(), QStringLiteral("path"), PathBit::After);
    QVERIFY(before > after);
    QVERIFY(after >= 3);
    QCOMPARE(countItems(view.scene(), QStringLiteral("decision"), PathBit::After), 1);
    QCOMPARE(countItems(view.scene(), QStringLiteral("decision"), PathBit::Before), 1);
    bool rawMarked = false;
    for (const QGraphicsItem* item : view.scene()->items()) {
        if (item->data(DiagramData::Role).toString() == QLatin1String("path")
            && item->data(DiagramData::Id).toString() == QLatin1String("chain:PREROUTING/raw/PREROUTING"))
            rawMarked = rawMarked || item->data(DiagramData::Paths).toInt() == PathBit::After;
    }
    QVERIFY(rawMarked);
}

void TestDiagramView::zoomAndFitChangeTheTransform()
{
    DiagramView view;
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    showDirectRouting(view);
    views::DiagramCanvas* canvas = view.canvas();
    canvas->setFocus();
    QTest::keyClick(canvas, Qt::Key_0, Qt::ControlModifier);
    const qreal fitted = canvas->zoom();
    QVERIFY(fitted > 0.1 && fitted < 1.5);
    // The whole scene is in view after fitting.
    QVERIFY(canvas->mapToScene(canvas->viewport()->rect()).boundingRect().adjusted(-2, -2, 2, 2).contains(
        view.scene()->sceneRect()));

    QTest::keyClick(canvas, Qt::Key_Equal, Qt::ControlModifier);
    QVERIFY(canvas->zoom() > fitted * 1.2);
    QTest::keyClick(canvas, Qt::Key_Minus, Qt::ControlModifier);
    QTest::keyClick(canvas, Qt::Key_Minus, Qt::ControlModifier);
    QVERIFY(canvas->zoom() < fitted);
    QTest::keyClick(canvas, Qt::Key_0, Qt::ControlModifier);
    // Back to the whole picture (scroll bars coming and going may shift the scale a little).
    QVERIFY2(qAbs(canvas->zoom() - fitted) < fitted * 0.05, qPrintable(QString::number(canvas->zoom())));

    // Ctrl+wheel zooms; the plain wheel scrolls the enlarged picture.
    const QPointF at(200, 200);
    const auto wheel = [&](int delta, Qt::KeyboardModifiers modifiers) {
        QWheelEvent event(at, canvas->viewport()->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton,
            modifiers, Qt::NoScrollPhase, false);
        QApplication::sendEvent(canvas->viewport(), &event);
    };
    for (int i = 0; i < 8; ++i)
        wheel(120, Qt::ControlModifier);
    QVERIFY(canvas->zoom() > fitted * 2.5);
    QVERIFY(canvas->verticalScrollBar()->maximum() > 0);
    canvas->verticalScrollBar()->setValue(0);
    const int top = canvas->verticalScrollBar()->value();
    wheel(-240, Qt::NoModifier);
    QVERIFY(canvas->verticalScrollBar()->value() > top);
}

void TestDiagramView::exportsSvgWithTheDecidingRule()
{
    DiagramView view;
    showDirectRouting(view);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("diagram.svg"));
    QString error;
    QVERIFY2(view.exportTo(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QString text;
    bool rootIsSvg = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && !rootIsSvg)
            rootIsSvg = xml.name() == QLatin1String("svg");
        if (xml.isCharacters())
            text += xml.text() + QLatin1Char('\n');
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(rootIsSvg);
    QVERIFY2(text.contains(kDecidingRule), qPrintable(text.left(2000)));
    QVERIFY(text.contains(QStringLiteral("tailscale0")));

    QVERIFY(!view.exportTo(dir.filePath(QStringLiteral("missing/dir/diagram.svg")), &error));
    QVERIFY(error.contains(QStringLiteral("missing")));
}

void TestDiagramView::exportsPng()
{
    DiagramView view;
    showDirectRouting(view);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("diagram.png"));
    QString error;
    QVERIFY2(view.exportTo(path, &error), qPrintable(error));
    const QImage image(path);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 800 && image.height() > 400);
    // Something is drawn: the path colours appear in the picture.
    const views::DiagramColours colours = views::DiagramColours::forPalette(view.palette());
    bool before = false;
    bool after = false;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            const QRgb px = image.pixel(x, y);
            before = before || px == colours.before.rgb();
            after = after || px == colours.after.rgb();
        }
    }
    QVERIFY(before && after);
}

void TestDiagramView::followsTheDarkPalette()
{
    DiagramView view;
    showDirectRouting(view);
    QVERIFY(view.scene()->backgroundBrush().color().lightness() > 128);
    QPalette dark = view.palette();
    dark.setColor(QPalette::Base, QColor(0x1b, 0x1e, 0x20));
    dark.setColor(QPalette::Window, QColor(0x2a, 0x2e, 0x32));
    dark.setColor(QPalette::Text, QColor(0xfc, 0xfc, 0xfc));
    dark.setColor(QPalette::Mid, QColor(0x22, 0x25, 0x28)); // as dark schemes have it: next to the window colour
    view.setPalette(dark);
    QVERIFY(view.scene()->backgroundBrush().color().lightness() < 64);
    // Every box's border stands out from the background, the folded chains' dashed ones too.
    const int background = view.scene()->backgroundBrush().color().lightness();
    int nodes = 0;
    for (const QGraphicsItem* item : view.scene()->items()) {
        if (item->data(DiagramData::Role).toString() != QStringLiteral("node"))
            continue;
        ++nodes;
        const auto* box = qgraphicsitem_cast<const QGraphicsPathItem*>(item);
        QVERIFY(box);
        QVERIFY2(box->pen().color().lightness() - background > 60, qPrintable(box->pen().color().name()));
    }
    QVERIFY(nodes > 10);
    const views::DiagramColours colours = views::DiagramColours::forPalette(dark);
    QVERIFY(colours.before.lightness() > 100 && colours.after.lightness() > 100);
    QVERIFY(countItems(view.scene(), QStringLiteral("path"), PathBit::After) >= 3);
}

// A side with several possible paths gets a chooser; the path drawn is the one chosen. The "after" trace here is
// made of two paths of the demo pair (dropped in raw PREROUTING, delivered to container web).
void TestDiagramView::choosesAmongPossiblePaths()
{
    DiagramView view;
    QSignalSpy shown(&view, &DiagramView::diagramShown);
    view.setSnapshots({ m_before, m_after });
    QVERIFY(shown.wait(10000));
    const Packet p = directRouting();
    const TraceResult before = Engine::fromSnapshot(*m_before)->trace(p);
    TraceResult after = Engine::fromSnapshot(*m_after)->trace(p);
    after.outcomes.push_back(before.primary());
    after.outcomes[0].conditions = { "-m statistic matched" };
    after.outcomes[1].conditions = { "-m statistic did not match" };
    after.fate = Fate::Depends;
    const auto webOnAfterPath = [&view] {
        const auto* web = view.layout().node("container:web");
        return web && (web->paths & PathBit::After);
    };

    view.showTraces(p, before, after);
    QVERIFY(shown.wait(10000));
    QVERIFY(!view.pathChooserShown(0)); // one path before: nothing to choose
    QVERIFY(view.pathChooserShown(1));
    QCOMPARE(view.pathChooser(1)->count(), 2);
    QVERIFY2(view.pathChooser(1)->itemText(0).contains(QStringLiteral("path 1 of 2, DROP")),
        qPrintable(view.pathChooser(1)->itemText(0)));
    QCOMPARE(view.pathChooser(1)->itemData(1, Qt::ToolTipRole).toString(), QStringLiteral("-m statistic did not match"));
    QVERIFY(!webOnAfterPath());

    view.pathChooser(1)->setCurrentIndex(1);
    Q_EMIT view.pathChooser(1)->activated(1);
    QVERIFY(shown.wait(10000));
    QVERIFY(webOnAfterPath());

    // A flow given as single paths hides the choosers again.
    view.showFlow(p, before.primary(), before.primary());
    QVERIFY(shown.wait(10000));
    QVERIFY(!view.pathChooserShown(1));
}

QTEST_MAIN(TestDiagramView)
#include "tst_diagramview.moc"
