#include "model/rulesdiffrows.h"

#include "model/rulesetmodel.h"

#include <string_view>
#include <unordered_map>

namespace model {

namespace {

    using diff::ChainDiff;
    using diff::ChainStatus;
    using diff::RowKind;
    using Line = RulesDiffRows::Line;
    using LineDiff = RulesDiffRows::LineDiff;
    using LineKind = RulesDiffRows::LineKind;

    LineDiff lineDiffOf(RowKind kind)
    {
        switch (kind) {
        case RowKind::Same:
            return LineDiff::Same;
        case RowKind::Added:
            return LineDiff::Added;
        case RowKind::Removed:
            return LineDiff::Removed;
        case RowKind::Changed:
            return LineDiff::Changed;
        case RowKind::Moved:
            return LineDiff::Moved;
        }
        return LineDiff::Same;
    }

    LineDiff chainDiffOf(const ChainDiff& chain)
    {
        switch (chain.status) {
        case ChainStatus::Added:
            return LineDiff::Added;
        case ChainStatus::Removed:
            return LineDiff::Removed;
        case ChainStatus::Renamed:
            return LineDiff::Changed;
        case ChainStatus::Same:
            break;
        }
        return chain.policyChanged() ? LineDiff::Changed : LineDiff::Same;
    }

    QString qs(const std::string& text) { return QString::fromStdString(text); }

    QString rowChangeText(RowKind kind)
    {
        switch (kind) {
        case RowKind::Added:
            return QStringLiteral("Added (only after)");
        case RowKind::Removed:
            return QStringLiteral("Removed (only before)");
        case RowKind::Changed:
            return QStringLiteral("Changed options");
        case RowKind::Same:
        case RowKind::Moved: // told with where it went
            break;
        }
        return QStringLiteral("Unchanged");
    }

    RulesDiffRows::LocationKey keyOf(const diff::RuleLocation& location)
    {
        return { location.table, location.chain, location.index };
    }

    // The chains of one ruleset by table and name. The names point into the ruleset, which the diff keeps alive.
    class ChainLookup {
    public:
        explicit ChainLookup(const RulesetPtr& ruleset)
        {
            if (!ruleset)
                return;
            for (const Table& table : ruleset->tables) {
                auto& chains = m_tables[table.name];
                chains.reserve(table.chains.size());
                for (const Chain& chain : table.chains)
                    chains.emplace(std::string_view(chain.name), &chain);
            }
        }

        const Chain* find(const std::string& table, const std::string& name) const
        {
            const auto t = m_tables.find(table);
            if (t == m_tables.end())
                return nullptr;
            const auto c = t->second.find(std::string_view(name));
            return c == t->second.end() ? nullptr : c->second;
        }

    private:
        std::map<std::string, std::unordered_map<std::string_view, const Chain*>> m_tables;
    };

    class RowsBuilder {
    public:
        RowsBuilder(const diff::RuleDiff& diff, const RulesDiffOptions& options)
            : m_diff(diff)
            , m_options(options)
            , m_before(diff.before)
            , m_after(diff.after)
        {
        }

        // False when stop() said yes (asked between chains).
        bool build(RulesDiffRows& rows, const diff::StopRequested& stop) const;

    private:
        void addChain(const ChainDiff& chain, std::vector<Line>& lines) const;
        Line chainLine(const ChainDiff& chain) const;
        Line ruleLine(const ChainDiff& chain, const diff::RuleRow& row) const;
        bool accepts(Provenance provenance) const
        {
            return m_options.authors.empty() || m_options.authors.count(provenance) > 0;
        }
        QString ruleText(const Rule& rule) const;

        const diff::RuleDiff& m_diff;
        const RulesDiffOptions& m_options;
        ChainLookup m_before;
        ChainLookup m_after;
    };

    QString RowsBuilder::ruleText(const Rule& rule) const
    {
        QString text = qs(rule.text);
        // iptables-save -c puts "[packets:bytes] " before the rule.
        if (!m_options.showCounters && text.startsWith(QLatin1Char('['))) {
            const qsizetype end = text.indexOf(QLatin1String("] "));
            if (end > 0)
                text.remove(0, end + 2);
        }
        return text;
    }

    bool RowsBuilder::build(RulesDiffRows& rows, const diff::StopRequested& stop) const
    {
        std::vector<Line>& lines = rows.lines;
        std::string table;
        std::size_t tableLine = 0;
        for (const ChainDiff& chain : m_diff.chains) {
            if (stop && stop())
                return false;
            if (m_options.hideUnchanged && !chain.hasChanges())
                continue;
            if (lines.empty() || chain.table != table) {
                table = chain.table;
                Line header;
                header.kind = LineKind::Table;
                const Table* before = m_diff.before ? m_diff.before->table(table) : nullptr;
                const Table* after = m_diff.after ? m_diff.after->table(table) : nullptr;
                header.diff = !before ? LineDiff::Added : !after ? LineDiff::Removed : LineDiff::Same;
                if (before)
                    header.side[0] = { QLatin1Char('*') + qs(table), before->line, {}, {} };
                if (after)
                    header.side[1] = { QLatin1Char('*') + qs(table), after->line, {}, {} };
                tableLine = lines.size();
                lines.push_back(std::move(header));
            }
            addChain(chain, lines);
            // A table header with nothing under it (every chain filtered out) is dropped again.
            if (tableLine == lines.size() - 1 && lines.back().kind == LineKind::Table) {
                lines.pop_back();
                table.clear();
            }
        }
        return true;
    }

    void RowsBuilder::addChain(const ChainDiff& chain, std::vector<Line>& lines) const
    {
        std::vector<Line> rules;
        for (const diff::RuleRow& row : chain.rows) {
            if (!accepts(row.provenance()))
                continue;
            rules.push_back(ruleLine(chain, row));
        }
        const LineDiff headerDiff = chainDiffOf(chain);
        const bool visible = !rules.empty()
            || (accepts(chain.provenance) && (chain.rows.empty() || headerDiff != LineDiff::Same));
        if (!visible)
            return;
        lines.push_back(chainLine(chain));
        for (Line& line : rules)
            lines.push_back(std::move(line));
    }

    Line RowsBuilder::chainLine(const ChainDiff& chain) const
    {
        Line header;
        header.kind = LineKind::Chain;
        header.diff = chainDiffOf(chain);
        header.provenance = chain.provenance;
        const std::string& leftName = chain.renamedFrom.empty() ? chain.name : chain.renamedFrom;
        const Chain* sides[2] = { chain.status == ChainStatus::Added ? nullptr : m_before.find(chain.table, leftName),
            chain.status == ChainStatus::Removed ? nullptr : m_after.find(chain.table, chain.name) };
        for (int s = 0; s < 2; ++s) {
            const Chain* c = sides[s];
            if (!c)
                continue;
            QString text = QLatin1Char(':') + qs(c->name) + QLatin1Char(' ')
                + (c->policy.empty() ? QStringLiteral("-") : qs(c->policy));
            if (m_options.showCounters && c->counters)
                text += QStringLiteral(" [%1:%2]").arg(c->counters->packets).arg(c->counters->bytes);
            header.side[s] = { text, c->line, {}, {} };
        }
        if (chain.status == ChainStatus::Renamed)
            header.toolTip = QStringLiteral("Renamed from %1").arg(qs(chain.renamedFrom));
        else if (chain.policyChanged())
            header.toolTip = QStringLiteral("Policy %1 → %2").arg(qs(chain.policyBefore), qs(chain.policyAfter));
        else if (const Chain* shown = sides[1] ? sides[1] : sides[0])
            header.toolTip = qs(shown->provenanceReason.str());
        return header;
    }

    Line RowsBuilder::ruleLine(const ChainDiff& chain, const diff::RuleRow& row) const
    {
        Line line;
        line.kind = LineKind::Rule;
        line.diff = lineDiffOf(row.kind);
        line.provenance = row.provenance();
        const std::string& leftChain = chain.renamedFrom.empty() ? chain.name : chain.renamedFrom;
        const Rule* sideRules[2] = { row.left, row.right };
        const int indexes[2] = { row.leftIndex, row.rightIndex };
        const std::string* names[2] = { &leftChain, &chain.name };
        for (int s = 0; s < 2; ++s) {
            if (!sideRules[s])
                continue;
            const diff::RuleLocation location { chain.table, *names[s], indexes[s] };
            line.side[s] = { ruleText(*sideRules[s]), sideRules[s]->line, location, {} };
            if (row.kind == RowKind::Moved)
                line.side[s].movedTo = row.counterpart;
        }
        // What the line below the panes says about the rule: where a moved rule went, or else the change, where
        // the rule is and who wrote it.
        if (row.kind == RowKind::Moved) {
            const QString where = QStringLiteral("%1/%2, rule %3")
                                      .arg(qs(row.counterpart.table), qs(row.counterpart.chain))
                                      .arg(row.counterpart.index + 1);
            line.toolTip = (row.left ? QStringLiteral("Moved to ") : QStringLiteral("Moved here from ")) + where;
            return line;
        }
        const int s = row.right ? 1 : 0;
        const QString reason = qs(sideRules[s]->provenanceReason.str());
        line.toolTip = QStringLiteral("%1 · %2/%3, rule %4 · %5%6")
                           .arg(rowChangeText(row.kind), qs(chain.table), qs(*names[s]))
                           .arg(indexes[s] + 1)
                           .arg(RulesetModel::provenanceLabel(row.provenance()),
                               reason.isEmpty() ? QString() : QStringLiteral(": ") + reason);
        return line;
    }

    // False when stop() said yes (asked every few thousand rows).
    bool linkPartners(RulesDiffRows& rows, const diff::StopRequested& stop)
    {
        constexpr std::size_t rowsBetweenStops = 4096;
        for (std::size_t row = 0; row < rows.lines.size(); ++row) {
            if (row % rowsBetweenStops == 0 && stop && stop())
                return false;
            for (int s = 0; s < 2; ++s) {
                if (const auto& location = rows.lines[row].side[s].location)
                    rows.rowOf[s][keyOf(*location)] = int(row);
            }
        }
        for (std::size_t row = 0; row < rows.lines.size(); ++row) {
            Line& line = rows.lines[row];
            line.partner[0] = line.partner[1] = int(row);
            if (line.diff != LineDiff::Moved)
                continue;
            for (int s = 0; s < 2; ++s) {
                if (!line.side[s].movedTo)
                    continue;
                const auto found = rows.rowOf[1 - s].find(keyOf(*line.side[s].movedTo));
                line.partner[s] = found == rows.rowOf[1 - s].end() ? -1 : found->second;
            }
        }
        return true;
    }

    void groupChanges(RulesDiffRows& rows)
    {
        for (std::size_t row = 0; row < rows.lines.size(); ++row) {
            if (rows.lines[row].diff == LineDiff::Same)
                continue;
            if (row == 0 || rows.lines[row - 1].diff == LineDiff::Same)
                rows.changeStarts.push_back(int(row));
            rows.lines[row].change = int(rows.changeStarts.size()) - 1;
        }
    }

} // namespace

QString RulesDiffRows::sideText(int side) const
{
    qsizetype size = 0;
    for (const Line& line : lines)
        size += line.side[side].text.size() + 1;
    QString text;
    text.reserve(size);
    for (std::size_t row = 0; row < lines.size(); ++row) {
        if (row > 0)
            text += QLatin1Char('\n');
        text += lines[row].side[side].text;
    }
    return text;
}

RulesDiffRowsPtr buildRulesDiffRows(std::shared_ptr<const diff::RuleDiff> diff, const RulesDiffOptions& options)
{
    return buildRulesDiffRows(std::move(diff), options, {});
}

RulesDiffRowsPtr buildRulesDiffRows(
    std::shared_ptr<const diff::RuleDiff> diff, const RulesDiffOptions& options, const diff::StopRequested& stop)
{
    auto rows = std::make_shared<RulesDiffRows>();
    rows->diff = std::move(diff);
    rows->options = options;
    if (rows->diff && !RowsBuilder(*rows->diff, options).build(*rows, stop))
        return nullptr;
    if (!linkPartners(*rows, stop))
        return nullptr;
    groupChanges(*rows);
    return rows;
}

} // namespace model
