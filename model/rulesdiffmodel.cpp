#include "model/rulesdiffmodel.h"

#include <map>
#include <tuple>

namespace model {

namespace {

    using diff::ChainDiff;
    using diff::ChainStatus;
    using diff::RowKind;
    using LineDiff = RulesDiffModel::LineDiff;

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

    const Chain* findChain(const RulesetPtr& ruleset, const std::string& table, const std::string& name)
    {
        const Table* t = ruleset ? ruleset->table(table) : nullptr;
        return t ? t->chain(name) : nullptr;
    }

    QString qs(const std::string& text) { return QString::fromStdString(text); }

    using LocationKey = std::tuple<std::string, std::string, int>;
    LocationKey keyOf(const diff::RuleLocation& location) { return { location.table, location.chain, location.index }; }

} // namespace

RulesDiffModel::RulesDiffModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void RulesDiffModel::setDiff(std::shared_ptr<const diff::RuleDiff> diff)
{
    m_diff = std::move(diff);
    rebuild();
}

void RulesDiffModel::setShowCounters(bool show)
{
    if (show == m_showCounters)
        return;
    m_showCounters = show;
    rebuild();
}

void RulesDiffModel::setHideUnchangedChains(bool hide)
{
    if (hide == m_hideUnchanged)
        return;
    m_hideUnchanged = hide;
    rebuild();
}

void RulesDiffModel::setProvenanceFilter(std::set<Provenance> authors)
{
    if (authors == m_authors)
        return;
    m_authors = std::move(authors);
    rebuild();
}

bool RulesDiffModel::accepts(Provenance provenance) const
{
    return m_authors.empty() || m_authors.count(provenance) > 0;
}

QString RulesDiffModel::ruleText(const Rule& rule) const
{
    QString text = qs(rule.text);
    // iptables-save -c puts "[packets:bytes] " before the rule.
    if (!m_showCounters && text.startsWith(QLatin1Char('['))) {
        const qsizetype end = text.indexOf(QLatin1String("] "));
        if (end > 0)
            text.remove(0, end + 2);
    }
    return text;
}

void RulesDiffModel::rebuild()
{
    beginResetModel();
    m_lines.clear();
    m_changeStarts.clear();
    if (m_diff) {
        std::string table;
        std::size_t tableLine = 0;
        for (const ChainDiff& chain : m_diff->chains) {
            if (m_hideUnchanged && !chain.hasChanges())
                continue;
            if (m_lines.empty() || chain.table != table) {
                table = chain.table;
                Line header;
                header.kind = LineKind::Table;
                const Table* before = m_diff->before ? m_diff->before->table(table) : nullptr;
                const Table* after = m_diff->after ? m_diff->after->table(table) : nullptr;
                header.diff = !before ? LineDiff::Added : !after ? LineDiff::Removed : LineDiff::Same;
                if (before)
                    header.side[0] = { QLatin1Char('*') + qs(table), before->line, {}, {} };
                if (after)
                    header.side[1] = { QLatin1Char('*') + qs(table), after->line, {}, {} };
                tableLine = m_lines.size();
                m_lines.push_back(std::move(header));
            }
            addChain(chain, m_lines);
            // A table header with nothing under it (every chain filtered out) is dropped again.
            if (tableLine == m_lines.size() - 1 && m_lines.back().kind == LineKind::Table) {
                m_lines.pop_back();
                table.clear();
            }
        }
    }
    linkPartners();
    groupChanges();
    endResetModel();
}

void RulesDiffModel::addChain(const ChainDiff& chain, std::vector<Line>& lines) const
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

    Line header;
    header.kind = LineKind::Chain;
    header.diff = headerDiff;
    header.provenance = chain.provenance;
    const std::string leftName = chain.renamedFrom.empty() ? chain.name : chain.renamedFrom;
    const Chain* sides[2] = { chain.status == ChainStatus::Added ? nullptr : findChain(m_diff->before, chain.table, leftName),
        chain.status == ChainStatus::Removed ? nullptr : findChain(m_diff->after, chain.table, chain.name) };
    for (int s = 0; s < 2; ++s) {
        const Chain* c = sides[s];
        if (!c)
            continue;
        QString text = QLatin1Char(':') + qs(c->name) + QLatin1Char(' ')
            + (c->policy.empty() ? QStringLiteral("-") : qs(c->policy));
        if (m_showCounters && c->counters)
            text += QStringLiteral(" [%1:%2]").arg(c->counters->packets).arg(c->counters->bytes);
        header.side[s] = { text, c->line, {}, {} };
    }
    if (chain.status == ChainStatus::Renamed)
        header.toolTip = QStringLiteral("Renamed from %1").arg(qs(chain.renamedFrom));
    else if (chain.policyChanged())
        header.toolTip = QStringLiteral("Policy %1 → %2").arg(qs(chain.policyBefore), qs(chain.policyAfter));
    else
        header.toolTip = qs(sides[1] ? sides[1]->provenanceReason.str() : sides[0] ? sides[0]->provenanceReason.str() : std::string());
    lines.push_back(std::move(header));
    for (Line& line : rules)
        lines.push_back(std::move(line));
}

RulesDiffModel::Line RulesDiffModel::ruleLine(const ChainDiff& chain, const diff::RuleRow& row) const
{
    Line line;
    line.kind = LineKind::Rule;
    line.diff = lineDiffOf(row.kind);
    line.provenance = row.provenance();
    const std::string leftChain = chain.renamedFrom.empty() ? chain.name : chain.renamedFrom;
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
    const Rule* shown = row.right ? row.right : row.left;
    line.toolTip = qs(shown->provenanceReason.str());
    if (row.kind == RowKind::Moved) {
        const QString where = QStringLiteral("%1/%2, rule %3")
                                  .arg(qs(row.counterpart.table), qs(row.counterpart.chain))
                                  .arg(row.counterpart.index + 1);
        line.toolTip = (row.left ? QStringLiteral("Moved to ") : QStringLiteral("Moved here from ")) + where;
    }
    return line;
}

void RulesDiffModel::linkPartners()
{
    std::map<LocationKey, int> where[2];
    for (std::size_t row = 0; row < m_lines.size(); ++row) {
        for (int s = 0; s < 2; ++s) {
            if (const auto& location = m_lines[row].side[s].location)
                where[s][keyOf(*location)] = int(row);
        }
    }
    for (std::size_t row = 0; row < m_lines.size(); ++row) {
        Line& line = m_lines[row];
        line.partner[0] = line.partner[1] = int(row);
        if (line.diff != LineDiff::Moved)
            continue;
        for (int s = 0; s < 2; ++s) {
            if (!line.side[s].movedTo)
                continue;
            const auto found = where[1 - s].find(keyOf(*line.side[s].movedTo));
            line.partner[s] = found == where[1 - s].end() ? -1 : found->second;
        }
    }
}

void RulesDiffModel::groupChanges()
{
    for (std::size_t row = 0; row < m_lines.size(); ++row) {
        if (m_lines[row].diff == LineDiff::Same)
            continue;
        if (row == 0 || m_lines[row - 1].diff == LineDiff::Same)
            m_changeStarts.push_back(int(row));
        m_lines[row].change = int(m_changeStarts.size()) - 1;
    }
}

int RulesDiffModel::changeAt(int row) const
{
    return row >= 0 && std::size_t(row) < m_lines.size() ? m_lines[std::size_t(row)].change : -1;
}

int RulesDiffModel::partnerRow(int row, int column) const
{
    if (row < 0 || std::size_t(row) >= m_lines.size() || column < 0 || column >= ColumnCount)
        return -1;
    return m_lines[std::size_t(row)].partner[column];
}

RulesDiffModel::LineDiff RulesDiffModel::lineDiff(int row) const
{
    return row >= 0 && std::size_t(row) < m_lines.size() ? m_lines[std::size_t(row)].diff : LineDiff::Same;
}

QString RulesDiffModel::text(int row, int column) const
{
    if (row < 0 || std::size_t(row) >= m_lines.size() || column < 0 || column >= ColumnCount)
        return {};
    return m_lines[std::size_t(row)].side[column].text;
}

int RulesDiffModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int RulesDiffModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RulesDiffModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Line& line = m_lines[std::size_t(index.row())];
    const Side& side = line.side[index.column()];
    switch (role) {
    case Qt::DisplayRole:
        return side.text;
    case Qt::ToolTipRole:
        return line.toolTip.isEmpty() ? QVariant() : QVariant(line.toolTip);
    case LineKindRole:
        return int(line.kind);
    case LineDiffRole:
        return int(line.diff);
    case PartnerRowRole:
        return line.partner[index.column()];
    case ProvenanceRole:
        return int(line.provenance);
    case SourceLineRole:
        return side.sourceLine;
    case ChangeRole:
        return line.change;
    default:
        return {};
    }
}

QVariant RulesDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == LeftColumn)
        return QStringLiteral("Before");
    if (section == RightColumn)
        return QStringLiteral("After");
    return {};
}

int RulesDiffModel::rowOfRule(int column, const std::string& table, const std::string& chain, int index) const
{
    if (column < 0 || column >= ColumnCount)
        return -1;
    const diff::RuleLocation wanted { table, chain, index };
    for (std::size_t row = 0; row < m_lines.size(); ++row) {
        const auto& location = m_lines[row].side[column].location;
        if (location && *location == wanted)
            return static_cast<int>(row);
    }
    return -1;
}

} // namespace model
