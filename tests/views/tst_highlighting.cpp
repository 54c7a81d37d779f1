#include "views/highlighting.h"

#include <QGuiApplication>
#include <QPalette>
#include <QPlainTextEdit>
#include <QSyntaxHighlighter>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

#ifdef CHAINSIGHT_HAVE_KSH
#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>

#include <QFile>
#include <QRegularExpression>
#include <QScrollBar>

#include <vector>
#endif

using views::SyntaxSupport;

namespace {

const auto SampleRule = QStringLiteral("-A DOCKER -d 172.18.0.2/32 ! -i br0 -p tcp -m tcp --dport 80 -j ACCEPT");

int distinctFormats(const QTextDocument& document)
{
    QList<QTextCharFormat> seen;
    for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
        for (const QTextLayout::FormatRange& range : block.layout()->formats()) {
            if (!seen.contains(range.format))
                seen.append(range.format);
        }
    }
    return int(seen.size());
}

#ifdef CHAINSIGHT_HAVE_KSH
// The text colour the highlighter gave the character at column of the first line.
QColor colourAt(const QTextDocument& document, int column)
{
    for (const QTextLayout::FormatRange& range : document.firstBlock().layout()->formats()) {
        if (column >= range.start && column < range.start + range.length)
            return range.format.foreground().color();
    }
    return {};
}

// Records which itemData of the definition covers each character, so tests can ask about roles by name.
class FormatRecorder final : public KSyntaxHighlighting::AbstractHighlighter {
public:
    struct Span {
        int offset;
        int length;
        QString name;
    };

    std::vector<std::vector<Span>> highlight(const QStringList& lines)
    {
        std::vector<std::vector<Span>> result;
        KSyntaxHighlighting::State state;
        for (const QString& line : lines) {
            m_current.clear();
            state = highlightLine(line, state);
            result.push_back(m_current);
        }
        return result;
    }

    static QString nameAt(const std::vector<Span>& spans, int column)
    {
        for (const Span& span : spans) {
            if (column >= span.offset && column < span.offset + span.length)
                return span.name;
        }
        return QStringLiteral("<none>");
    }

protected:
    void applyFormat(int offset, int length, const KSyntaxHighlighting::Format& format) override
    {
        if (length > 0)
            m_current.push_back({ offset, length, format.name() });
    }

private:
    std::vector<Span> m_current;
};
#endif

} // namespace

class TestHighlighting final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void withoutRepositoryAttachingIsHarmless();
#ifdef CHAINSIGHT_HAVE_KSH
    void init();
    void freshRepositoryFindsIptables();
    void sampleRuleGetsSeveralFormats();
    void tokensGetTheirRole_data();
    void tokensGetTheirRole();
    void everyJumpInADockerDumpIsATarget();
    void unknownDefinitionLeavesDocumentPlain();
    void diffLineColoursLieOverTheSyntax();
    void largeTextIsHighlightedWhereItIsShown();
#endif
};

void TestHighlighting::withoutRepositoryAttachingIsHarmless()
{
    const SyntaxSupport syntax(nullptr);
    QVERIFY(!syntax.available());
    QVERIFY(!syntax.hasDefinition(QStringLiteral("iptables")));
    QVERIFY2(syntax.description().contains(QStringLiteral("not available")), qPrintable(syntax.description()));

    QTextDocument document(SampleRule);
    QCOMPARE(syntax.attachHighlighter(&document, QStringLiteral("iptables"), QGuiApplication::palette()), nullptr);
    QCOMPARE(syntax.attachHighlighter(nullptr, QStringLiteral("iptables"), QGuiApplication::palette()), nullptr);
    syntax.applyTheme(nullptr, QGuiApplication::palette());
    QCOMPARE(document.toPlainText(), SampleRule);
    QCOMPARE(distinctFormats(document), 0);
    // Diff views colour their lines themselves when there is no highlighting.
    const auto red = [](int) { return QColor(Qt::red); };
    QCOMPARE(
        syntax.attachDiffHighlighter(&document, QStringLiteral("iptables"), QGuiApplication::palette(), red), nullptr);
    QPlainTextEdit edit(SampleRule);
    QCOMPARE(syntax.highlightVisibleLines(&edit, QStringLiteral("iptables"), QGuiApplication::palette(), red), nullptr);
}

#ifdef CHAINSIGHT_HAVE_KSH
void TestHighlighting::init()
{
    // A broken context reference or regular expression in the definition is only reported as a warning.
    QTest::failOnWarning(QRegularExpression(QStringLiteral(".+")));
}

void TestHighlighting::freshRepositoryFindsIptables()
{
    KSyntaxHighlighting::Repository repository;
    const auto definition = repository.definitionForName(QStringLiteral("iptables"));
    QVERIFY(definition.isValid());
    QCOMPARE(definition.name(), QStringLiteral("iptables"));
    QVERIFY(definition.formats().size() > 10);
    QVERIFY(definition.singleLineCommentMarker() == QStringLiteral("#"));
    QCOMPARE(
        repository.definitionForFileName(QStringLiteral("/etc/iptables/rules.v4")).name(), QStringLiteral("iptables"));

    const SyntaxSupport syntax(&repository);
    QVERIFY(syntax.available());
    QVERIFY(syntax.hasDefinition(QStringLiteral("iptables")));
    QVERIFY(syntax.hasDefinition(QStringLiteral("Bash")));
    QVERIFY2(syntax.description().contains(QStringLiteral("KSyntaxHighlighting")), qPrintable(syntax.description()));
}

void TestHighlighting::sampleRuleGetsSeveralFormats()
{
    KSyntaxHighlighting::Repository repository;
    const SyntaxSupport syntax(&repository);
    QTextDocument document(SampleRule);
    QSyntaxHighlighter* highlighter
        = syntax.attachHighlighter(&document, QStringLiteral("iptables"), QGuiApplication::palette());
    QVERIFY(highlighter);
    QCOMPARE(highlighter->document(), &document);
    // QSyntaxHighlighter applies formats from a zero-timer after it is attached.
    QTRY_VERIFY2(distinctFormats(document) > 3, qPrintable(QString::number(distinctFormats(document))));

    // A dark palette picks a dark theme: the same document is re-coloured, never left half-themed.
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x23, 0x26, 0x29));
    dark.setColor(QPalette::Text, QColor(0xfc, 0xfc, 0xfc));
    QVERIFY(repository.themeForPalette(dark).name() != repository.themeForPalette(QPalette(Qt::white)).name());
    const QColor lightChain = colourAt(document, 3);
    syntax.applyTheme(highlighter, dark);
    QTRY_VERIFY(colourAt(document, 3) != lightChain);
    QVERIFY(colourAt(document, 2).lightness() > 128); // plain text turns light on a dark background
    QVERIFY(distinctFormats(document) > 3);
    QCOMPARE(document.toPlainText(), SampleRule);
}

void TestHighlighting::tokensGetTheirRole_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("token"); // the first occurrence is checked at its first character
    QTest::addColumn<QString>("role");

    const QString dnat
        = QStringLiteral("-A DOCKER ! -i br0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80");
    const QString comment = QStringLiteral(R"(-A INPUT -m comment --comment "allow \"ssh\" in" -j ACCEPT)");
    QTest::newRow("table header") << QStringLiteral("*filter") << QStringLiteral("*filter") << QStringLiteral("Table");
    QTest::newRow("commit") << QStringLiteral("COMMIT") << QStringLiteral("COMMIT") << QStringLiteral("Commit");
    QTest::newRow("user chain declaration")
        << QStringLiteral(":DOCKER-USER - [0:0]") << QStringLiteral("DOCKER-USER") << QStringLiteral("Chain");
    QTest::newRow("policy") << QStringLiteral(":FORWARD DROP [12:3456]") << QStringLiteral("DROP")
                            << QStringLiteral("Target");
    QTest::newRow("policy counters") << QStringLiteral(":FORWARD DROP [12:3456]") << QStringLiteral("[12:3456]")
                                     << QStringLiteral("Counter");
    QTest::newRow("rule counters") << QStringLiteral("[5:300] -A INPUT -j ACCEPT") << QStringLiteral("[5:300]")
                                   << QStringLiteral("Counter");
    QTest::newRow("append") << SampleRule << QStringLiteral("-A") << QStringLiteral("Command");
    QTest::newRow("appended chain") << SampleRule << QStringLiteral("DOCKER") << QStringLiteral("Chain");
    QTest::newRow("short option") << SampleRule << QStringLiteral("-d") << QStringLiteral("Option");
    QTest::newRow("ipv4 with mask") << SampleRule << QStringLiteral("172.18.0.2/32") << QStringLiteral("Address");
    QTest::newRow("negation") << SampleRule << QStringLiteral("!") << QStringLiteral("Negation");
    QTest::newRow("interface") << SampleRule << QStringLiteral("br0") << QStringLiteral("Interface");
    QTest::newRow("protocol") << SampleRule << QStringLiteral("tcp -m") << QStringLiteral("Protocol");
    QTest::newRow("module") << SampleRule << QStringLiteral("tcp --dport") << QStringLiteral("Module");
    QTest::newRow("long option") << SampleRule << QStringLiteral("--dport") << QStringLiteral("Option");
    QTest::newRow("port") << SampleRule << QStringLiteral("80 -j") << QStringLiteral("Port");
    QTest::newRow("built-in target") << SampleRule << QStringLiteral("ACCEPT") << QStringLiteral("Target");
    QTest::newRow("dnat target") << dnat << QStringLiteral("DNAT") << QStringLiteral("Target");
    QTest::newRow("dnat address") << dnat << QStringLiteral("172.18.0.2") << QStringLiteral("Address");
    QTest::newRow("dnat port") << dnat << QStringLiteral(":80") << QStringLiteral("Port");
    QTest::newRow("user chain jump") << QStringLiteral("-A FORWARD -j DOCKER-USER") << QStringLiteral("DOCKER-USER")
                                     << QStringLiteral("User Chain");
    QTest::newRow("goto") << QStringLiteral("-A FORWARD -o docker0 -g DOCKER-ISOLATION-STAGE-1")
                          << QStringLiteral("DOCKER-ISOLATION") << QStringLiteral("User Chain");
    QTest::newRow("ipv6 prefix") << QStringLiteral("-A INPUT -s fe80::/10 -j ACCEPT") << QStringLiteral("fe80::/10")
                                 << QStringLiteral("Address");
    QTest::newRow("ipv6 loopback") << QStringLiteral("-A INPUT -s ::1/128 -j ACCEPT") << QStringLiteral("::1/128")
                                   << QStringLiteral("Address");
    QTest::newRow("ipv6 dnat") << QStringLiteral("-A DOCKER -p tcp -j DNAT --to-destination [fd00::2]:80")
                               << QStringLiteral("[fd00::2]:80") << QStringLiteral("Address");
    QTest::newRow("quoted comment") << comment << QStringLiteral("\"allow") << QStringLiteral("String");
    QTest::newRow("escaped quote") << comment << QStringLiteral("\\\"") << QStringLiteral("String Escape");
    QTest::newRow("after the comment") << comment << QStringLiteral("-j") << QStringLiteral("Option");
    QTest::newRow("conntrack state") << QStringLiteral(
        "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
                                     << QStringLiteral("ESTABLISHED") << QStringLiteral("State");
    QTest::newRow("comment line") << QStringLiteral("# Generated by iptables-save v1.8.9 (nf_tables)")
                                  << QStringLiteral("Generated") << QStringLiteral("Comment");
    QTest::newRow("insert position") << QStringLiteral("-I DOCKER-USER 1 -j RETURN") << QStringLiteral("1 -j")
                                     << QStringLiteral("Number");
    QTest::newRow("inserted chain") << QStringLiteral("-I DOCKER-USER 1 -j RETURN") << QStringLiteral("DOCKER-USER")
                                    << QStringLiteral("Chain");
    QTest::newRow("policy command") << QStringLiteral("-P FORWARD DROP") << QStringLiteral("DROP")
                                    << QStringLiteral("Target");
    QTest::newRow("new chain") << QStringLiteral("-N DOCKER-FORWARD") << QStringLiteral("DOCKER-FORWARD")
                               << QStringLiteral("Chain");
    QTest::newRow("mark") << QStringLiteral("-A PREROUTING -m mark --mark 0x40000/0xff0000 -j ACCEPT")
                          << QStringLiteral("0x40000") << QStringLiteral("Number");
    QTest::newRow("iptables command line") << QStringLiteral("iptables -t nat -I DOCKER-USER -j RETURN")
                                           << QStringLiteral("iptables") << QStringLiteral("Command");
    QTest::newRow("table option") << QStringLiteral("iptables -t nat -I DOCKER-USER -j RETURN") << QStringLiteral("nat")
                                  << QStringLiteral("Table");
}

void TestHighlighting::tokensGetTheirRole()
{
    QFETCH(QString, line);
    QFETCH(QString, token);
    QFETCH(QString, role);

    KSyntaxHighlighting::Repository repository;
    FormatRecorder recorder;
    recorder.setDefinition(repository.definitionForName(QStringLiteral("iptables")));
    const auto spans = recorder.highlight({ line });
    const int column = int(line.indexOf(token));
    QVERIFY(column >= 0);
    QCOMPARE(FormatRecorder::nameAt(spans.front(), column), role);
}

void TestHighlighting::everyJumpInADockerDumpIsATarget()
{
    QFile file(QStringLiteral(CHAINSIGHT_FIXTURES_DIR "/docker-28.x-d-oracle-cloud.rules"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));

    KSyntaxHighlighting::Repository repository;
    FormatRecorder recorder;
    recorder.setDefinition(repository.definitionForName(QStringLiteral("iptables")));
    const auto spans = recorder.highlight(lines);
    int jumps = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int at = int(lines[i].indexOf(QLatin1String(" -j ")));
        if (!lines[i].startsWith(QLatin1String("-A")) || at < 0)
            continue;
        const QString role = FormatRecorder::nameAt(spans[size_t(i)], at + 4);
        QVERIFY2(role == QLatin1String("Target") || role == QLatin1String("User Chain"),
            qPrintable(QStringLiteral("line %1: %2 (%3)").arg(i + 1).arg(lines[i], role)));
        ++jumps;
    }
    QVERIFY(jumps > 20);
}

void TestHighlighting::unknownDefinitionLeavesDocumentPlain()
{
    KSyntaxHighlighting::Repository repository;
    const SyntaxSupport syntax(&repository);
    QTextDocument document(SampleRule);
    QCOMPARE(
        syntax.attachHighlighter(&document, QStringLiteral("no such language"), QGuiApplication::palette()), nullptr);
    QCOMPARE(distinctFormats(document), 0);
}
#endif

#ifdef CHAINSIGHT_HAVE_KSH
// Every character of a coloured line gets the diff background, with the syntax colours kept; plain lines keep
// the theme's own backgrounds.
void TestHighlighting::diffLineColoursLieOverTheSyntax()
{
    KSyntaxHighlighting::Repository repository;
    const SyntaxSupport syntax(&repository);
    QTextDocument document(SampleRule + QLatin1Char('\n') + SampleRule);
    const QColor added(0xc8, 0xf0, 0xc8);
    QSyntaxHighlighter* highlighter = syntax.attachDiffHighlighter(&document, QStringLiteral("iptables"),
        QGuiApplication::palette(), [added](int block) { return block == 1 ? added : QColor(); });
    QVERIFY(highlighter);
    QTRY_VERIFY(distinctFormats(document) > 3);
    const QTextBlock plain = document.firstBlock();
    const QTextBlock coloured = plain.next();
    int covered = 0;
    QList<QColor> foregrounds;
    for (const QTextLayout::FormatRange& range : coloured.layout()->formats()) {
        QCOMPARE(range.format.background().color(), added);
        covered += range.length;
        if (!foregrounds.contains(range.format.foreground().color()))
            foregrounds << range.format.foreground().color();
    }
    QCOMPARE(covered, int(SampleRule.size()));
    QVERIFY(foregrounds.size() > 2); // still highlighted
    for (const QTextLayout::FormatRange& range : plain.layout()->formats())
        QVERIFY(range.format.background().color() != added);
}
#endif

#ifdef CHAINSIGHT_HAVE_KSH
// A 50k-line ruleset: the lines on screen are highlighted (with their line background), the rest only when
// scrolled to, and a theme change re-highlights what is shown.
void TestHighlighting::largeTextIsHighlightedWhereItIsShown()
{
    KSyntaxHighlighting::Repository repository;
    const SyntaxSupport syntax(&repository);
    QStringList lines;
    for (int i = 0; i < 50000; ++i)
        lines << SampleRule;
    QPlainTextEdit edit;
    edit.setPlainText(lines.join(QLatin1Char('\n')));
    edit.resize(600, 300);
    edit.show();
    QVERIFY(QTest::qWaitForWindowExposed(&edit));
    const QColor added(0xc8, 0xf0, 0xc8);
    QObject* highlighter = syntax.highlightVisibleLines(&edit, QStringLiteral("iptables"), QGuiApplication::palette(),
        [added](int block) { return block % 2 == 1 ? added : QColor(); });
    QVERIFY(highlighter);
    QTextDocument* document = edit.document();
    const auto formatsOf = [document](int block) { return document->findBlockByNumber(block).layout()->formats(); };
    QTRY_VERIFY(formatsOf(0).size() > 3);
    QVERIFY(formatsOf(1).size() > 3);
    for (const QTextLayout::FormatRange& range : formatsOf(1))
        QCOMPARE(range.format.background().color(), added);
    QVERIFY(formatsOf(40001).isEmpty());

    edit.verticalScrollBar()->setValue(40000);
    QTRY_VERIFY(formatsOf(40001).size() > 3);
    QVERIFY(formatsOf(20000).isEmpty());

    QPalette dark = QGuiApplication::palette();
    dark.setColor(QPalette::Base, QColor(0x1b, 0x1e, 0x20));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    const QColor lightForeground = formatsOf(40000).front().format.foreground().color();
    syntax.applyTheme(highlighter, dark);
    QTRY_VERIFY(formatsOf(40000).front().format.foreground().color() != lightForeground);
}
#endif

QTEST_MAIN(TestHighlighting)
#include "tst_highlighting.moc"
