#include "views/diagramview.h"
#include "views/backgroundpool.h"

#include "views/diagramcanvas.h"
#include "views/diagramscene.h"

#include "model/diagram/defaultflow.h"
#include "model/engine/engine.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGraphicsScene>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QSvgGenerator>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace views {

using model::diagram::PathInput;
using model::engine::Outcome;
using model::engine::Packet;
using model::engine::TraceResult;

namespace {

    PathInput pathInput(const std::optional<Outcome>& outcome, const Packet& packet)
    {
        return outcome ? PathInput { &*outcome, packet.inInterface, packet.fromLocalProcess } : PathInput {};
    }

    QString snapshotName(const model::SnapshotPtr& snapshot, const char* role)
    {
        QString name = QString::fromLatin1(role);
        if (snapshot && snapshot->docker && snapshot->docker->version)
            name += QStringLiteral(" - Docker ") + QString::fromStdString(*snapshot->docker->version);
        return name;
    }

    std::shared_ptr<const model::diagram::Layout> sharedLayout(const model::Snapshot& snapshot,
        const PathInput& before, const PathInput& after, const std::function<bool()>& stale)
    {
        model::diagram::LayoutOptions options;
        options.stop = stale;
        return std::make_shared<const model::diagram::Layout>(
            model::diagram::computeLayout(snapshot, before, after, options));
    }

} // namespace

DiagramView::DiagramView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("DiagramView"));
    m_scene = new QGraphicsScene(this);
    m_canvas = new DiagramCanvas(this);
    m_canvas->setScene(m_scene);
    m_flowLabel = new QLabel(this);
    m_flowLabel->setObjectName(QStringLiteral("DiagramFlow"));
    m_flowLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    createActions();
    auto* tools = new QToolBar(this);
    tools->setObjectName(QStringLiteral("DiagramTools"));
    tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
    tools->addWidget(m_flowLabel);
    for (int side = 0; side < 2; ++side) {
        auto* box = new QComboBox(tools);
        box->setObjectName(side == 0 ? QStringLiteral("DiagramPathBefore") : QStringLiteral("DiagramPathAfter"));
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        box->setToolTip(QStringLiteral("A match could not be decided: choose which possible path to draw"));
        connect(box, &QComboBox::activated, this, &DiagramView::drawChosenPaths);
        (side == 0 ? m_pathBefore : m_pathAfter) = box;
        m_chooserActions[side] = tools->addWidget(box); // a toolbar shows or hides its widgets through these
        m_chooserActions[side]->setVisible(false);
    }
    auto* spacer = new QWidget(tools);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    tools->addWidget(spacer);
    tools->addActions({ m_zoomOut, m_zoomIn, m_fit, m_export });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(tools);
    layout->addWidget(m_canvas, 1);
}

DiagramView::~DiagramView() { ++*m_latest; }

void DiagramView::createActions()
{
    const auto make = [this](const QString& text, const QString& name, QList<QKeySequence> keys, const QString& tip) {
        auto* action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setStatusTip(tip);
        action->setToolTip(tip + QStringLiteral(" (") + keys.front().toString(QKeySequence::NativeText) + u')');
        addAction(action);
        return action;
    };
    m_zoomIn = make(QStringLiteral("Zoom In"), QStringLiteral("actionDiagramZoomIn"),
        { QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence::ZoomIn }, QStringLiteral("Make the diagram larger"));
    m_zoomOut = make(QStringLiteral("Zoom Out"), QStringLiteral("actionDiagramZoomOut"),
        { QKeySequence(Qt::CTRL | Qt::Key_Minus) }, QStringLiteral("Make the diagram smaller"));
    m_fit = make(QStringLiteral("Fit"), QStringLiteral("actionDiagramFit"), { QKeySequence(Qt::CTRL | Qt::Key_0) },
        QStringLiteral("Show the whole diagram"));
    connect(m_zoomIn, &QAction::triggered, this, &DiagramView::zoomIn);
    connect(m_zoomOut, &QAction::triggered, this, &DiagramView::zoomOut);
    connect(m_fit, &QAction::triggered, this, &DiagramView::fitToWindow);
    m_export = new QAction(QStringLiteral("Export Diagram…"), this);
    m_export->setObjectName(QStringLiteral("actionExportDiagram"));
    m_export->setStatusTip(QStringLiteral("Save the diagram as an SVG or PNG image"));
    connect(m_export, &QAction::triggered, this, &DiagramView::exportDialog);
}

QString DiagramView::flowText() const { return m_flow; }

QStringList DiagramView::pathNames() const
{
    if (!m_before)
        return { QStringLiteral("path of the flow") };
    return { snapshotName(m_before, "before"), snapshotName(m_after, "after") };
}

void DiagramView::setSnapshots(const QList<model::SnapshotPtr>& snapshots)
{
    if (snapshots.isEmpty())
        return;
    m_before = snapshots.size() == 2 ? snapshots.front() : nullptr;
    m_after = snapshots.back();
    m_fitNext = true;
    compute([before = m_before, after = m_after](const std::function<bool()>& stale) -> Computed {
        const std::optional<Packet> packet = model::diagram::defaultFlow(*after);
        if (!packet)
            return { sharedLayout(*after, {}, {}, stale),
                QStringLiteral("No published container port to trace: the pipeline without a flow") };
        std::optional<Outcome> was;
        std::optional<Outcome> now = model::engine::Engine::fromSnapshot(*after)->trace(*packet).primary();
        if (before)
            was = model::engine::Engine::fromSnapshot(*before)->trace(*packet).primary();
        if (stale())
            return {};
        const PathInput first = before ? pathInput(was, *packet) : pathInput(now, *packet);
        const PathInput second = before ? pathInput(now, *packet) : PathInput {};
        return { sharedLayout(*after, first, second, stale),
            QStringLiteral("Example flow: ") + QString::fromStdString(packet->describe()) };
    });
}

void DiagramView::showFlow(const Packet& packet, const std::optional<Outcome>& before,
    const std::optional<Outcome>& after)
{
    m_tracedPacket.reset();
    m_tracedBefore.reset();
    m_tracedAfter.reset();
    setChooser(m_pathBefore, {}, QString());
    setChooser(m_pathAfter, {}, QString());
    draw(packet, before, after);
}

void DiagramView::showTraces(const Packet& packet, const std::optional<TraceResult>& before,
    const std::optional<TraceResult>& after)
{
    m_tracedPacket = packet;
    m_tracedBefore = before;
    m_tracedAfter = after;
    const QStringList names = pathNames();
    setChooser(m_pathBefore, before, names.value(0));
    setChooser(m_pathAfter, after, names.value(1));
    drawChosenPaths();
}

void DiagramView::setChooser(QComboBox* box, const std::optional<TraceResult>& trace, const QString& side)
{
    box->clear();
    const std::size_t n = trace ? trace->outcomes.size() : 0;
    for (std::size_t i = 0; n > 1 && i < n; ++i) {
        const Outcome& o = trace->outcomes[i];
        QStringList assumed;
        for (const std::string& c : o.conditions)
            assumed << QString::fromStdString(c);
        box->addItem(QStringLiteral("%1: path %2 of %3, %4").arg(side).arg(i + 1).arg(n).arg(QString::fromUtf8(fateName(o.fate))));
        box->setItemData(int(i), assumed.isEmpty() ? QStringLiteral("no assumption") : assumed.join(u'\n'), Qt::ToolTipRole);
    }
    m_chooserActions[box == m_pathBefore ? 0 : 1]->setVisible(n > 1);
}

void DiagramView::drawChosenPaths()
{
    if (!m_tracedPacket)
        return;
    const auto chosen = [](const std::optional<TraceResult>& trace, const QComboBox* box) -> std::optional<Outcome> {
        if (!trace || trace->outcomes.empty())
            return std::nullopt;
        const auto i = std::size_t(std::max(0, box->currentIndex()));
        return trace->outcomes[std::min(i, trace->outcomes.size() - 1)];
    };
    draw(*m_tracedPacket, chosen(m_tracedBefore, m_pathBefore), chosen(m_tracedAfter, m_pathAfter));
}

void DiagramView::draw(const Packet& packet, const std::optional<Outcome>& before, const std::optional<Outcome>& after)
{
    if (!m_after)
        return;
    compute([snapshot = m_after, packet, before, after](const std::function<bool()>& stale) -> Computed {
        return { sharedLayout(*snapshot, pathInput(before, packet), pathInput(after, packet), stale),
            QStringLiteral("Flow: ") + QString::fromStdString(packet.describe()) };
    });
}

void DiagramView::compute(std::function<Computed(const std::function<bool()>& stale)> work)
{
    const int generation = ++m_generation;
    *m_latest = generation;
    ++m_pending;
    // A watcher owned by the view: when the view goes first, nothing is delivered to it.
    auto* watcher = new QFutureWatcher<Computed>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        --m_pending;
        present(generation, watcher->result());
        watcher->deleteLater();
    });
    // A newer request or a closed view makes this one stale: it is skipped if it has not started, else the
    // layout stops at its next table.
    watcher->setFuture(QtConcurrent::run(backgroundPool(), [work = std::move(work), latest = m_latest, generation] {
        const std::function<bool()> stale = [&latest, generation] { return latest->load() != generation; };
        return stale() ? Computed {} : work(stale);
    }));
}

void DiagramView::present(int generation, Computed computed)
{
    if (generation != m_generation) // a newer request is on its way
        return;
    m_layout = std::move(computed.layout);
    m_flow = std::move(computed.flow);
    m_flowLabel->setText(m_flow);
    rebuildScene();
    if (m_fitNext)
        fitToWindow();
    m_fitNext = false;
    Q_EMIT diagramShown();
}

void DiagramView::rebuildScene()
{
    if (!m_after)
        return;
    fillDiagramScene(*m_scene, *m_layout, palette(), pathNames());
}

void DiagramView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuildScene();
}

void DiagramView::zoomIn() { m_canvas->zoomBy(1.25); }
void DiagramView::zoomOut() { m_canvas->zoomBy(1 / 1.25); }
void DiagramView::fitToWindow() { m_canvas->fit(); }

bool DiagramView::exportTo(const QString& path, QString* error) const
{
    const QRectF source = m_scene->sceneRect();
    if (source.isEmpty()) {
        *error = QStringLiteral("There is no diagram to export yet.");
        return false;
    }
    const bool svg = QFileInfo(path).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0;
    if (svg) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            *error = QStringLiteral("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
            return false;
        }
        QSvgGenerator generator;
        generator.setOutputDevice(&file);
        generator.setSize(source.size().toSize());
        generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
        generator.setTitle(QStringLiteral("Chainsight diagram"));
        generator.setDescription(m_flow);
        QPainter painter(&generator);
        m_scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        painter.end();
        return true;
    }
    QImage image((source.size() * 2).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(2);
    image.fill(m_scene->backgroundBrush().color());
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    m_scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
    painter.end();
    if (!image.save(path, "PNG")) {
        *error = QStringLiteral("Cannot write %1 as a PNG image.").arg(QDir::toNativeSeparators(path));
        return false;
    }
    return true;
}

void DiagramView::exportDialog()
{
    QString filter = QStringLiteral("SVG image (*.svg)");
    const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export Diagram"),
        QDir::home().filePath(QStringLiteral("chainsight-diagram.svg")),
        QStringLiteral("SVG image (*.svg);;PNG image (*.png)"), &filter);
    if (path.isEmpty())
        return;
    QString target = path;
    if (QFileInfo(target).suffix().isEmpty())
        target += filter.startsWith(QLatin1String("PNG")) ? QStringLiteral(".png") : QStringLiteral(".svg");
    QString error;
    if (!exportTo(target, &error))
        QMessageBox::warning(this, QStringLiteral("Export Diagram"), error);
}

} // namespace views
