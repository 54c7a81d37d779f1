#include "model/rulesetmodel.h"

#include "model/parse/iptables.h"

namespace model {

namespace {

    // Internal ids: 0 for a table; for a chain, table + 1; for a rule, ((chain + 1) << 32) | (table + 1).
    // A child's id therefore names its parent, which is all parent() needs.
    constexpr quintptr TableBits = 0xffffffffu;

    quintptr chainParentId(int table) { return quintptr(table) + 1; }

    quintptr ruleParentId(int table, int chain) { return (quintptr(chain + 1) << 32) | (quintptr(table) + 1); }

    QString counterText(const std::optional<Counters>& counters, bool bytes)
    {
        if (!counters)
            return {};
        return QString::number(bytes ? counters->bytes : counters->packets);
    }

    QVariant counterValue(const std::optional<Counters>& counters, bool bytes)
    {
        if (!counters)
            return {};
        return QVariant::fromValue<qulonglong>(bytes ? counters->bytes : counters->packets);
    }

} // namespace

RulesetModel::RulesetModel(QObject* parent)
    : QAbstractItemModel(parent)
    , m_reachability(std::make_shared<const Reachability>())
{
    static_assert(sizeof(quintptr) >= 8, "rule ids pack two 32-bit indexes");
}

void RulesetModel::setRuleset(RulesetPtr ruleset)
{
    auto reachability = std::make_shared<const Reachability>(ruleset ? findUnreachableRules(*ruleset) : Reachability {});
    setRuleset(std::move(ruleset), std::move(reachability));
}

void RulesetModel::setRuleset(RulesetPtr ruleset, std::shared_ptr<const Reachability> reachability)
{
    Q_ASSERT(reachability);
    beginResetModel();
    m_ruleset = std::move(ruleset);
    m_reachability = std::move(reachability);
    endResetModel();
}

QString RulesetModel::provenanceLabel(Provenance provenance)
{
    switch (provenance) {
    case Provenance::Docker:
        return QStringLiteral("Docker");
    case Provenance::Tailscale:
        return QStringLiteral("Tailscale");
    case Provenance::Ufw:
        return QStringLiteral("UFW");
    case Provenance::Firewalld:
        return QStringLiteral("firewalld");
    case Provenance::KubeProxy:
        return QStringLiteral("kube-proxy");
    case Provenance::Fail2ban:
        return QStringLiteral("fail2ban");
    case Provenance::CloudImage:
        return QStringLiteral("Cloud image");
    case Provenance::Unknown:
        break;
    }
    return QStringLiteral("Other");
}

RulesetModel::Location RulesetModel::locate(const QModelIndex& index) const
{
    const quintptr id = index.internalId();
    if (id == 0)
        return { Kind::Table, index.row(), -1, -1 };
    const int table = int(id & TableBits) - 1;
    const int chain = int(id >> 32) - 1;
    if (chain < 0)
        return { Kind::Chain, table, index.row(), -1 };
    return { Kind::Rule, table, chain, index.row() };
}

QModelIndex RulesetModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    const Location where = locate(parent);
    if (where.kind == Kind::Table)
        return createIndex(row, column, chainParentId(where.table));
    if (where.kind == Kind::Chain)
        return createIndex(row, column, ruleParentId(where.table, where.chain));
    return {};
}

QModelIndex RulesetModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Location where = locate(child);
    switch (where.kind) {
    case Kind::Table:
        return {};
    case Kind::Chain:
        return createIndex(where.table, 0, quintptr(0));
    case Kind::Rule:
        return createIndex(where.chain, 0, chainParentId(where.table));
    }
    return {};
}

int RulesetModel::rowCount(const QModelIndex& parent) const
{
    if (!m_ruleset)
        return 0;
    if (!parent.isValid())
        return int(m_ruleset->tables.size());
    if (parent.column() != 0)
        return 0;
    const Location where = locate(parent);
    if (where.kind == Kind::Table)
        return int(m_ruleset->tables[size_t(where.table)].chains.size());
    if (where.kind == Kind::Chain)
        return int(m_ruleset->tables[size_t(where.table)].chains[size_t(where.chain)].rules.size());
    return 0;
}

int RulesetModel::columnCount(const QModelIndex&) const { return ColumnCount; }

Qt::ItemFlags RulesetModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags result = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (locate(index).kind == Kind::Rule)
        result |= Qt::ItemNeverHasChildren;
    return result;
}

QVariant RulesetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case RuleColumn:
        return QStringLiteral("Rule");
    case ProvenanceColumn:
        return QStringLiteral("Provenance");
    case PacketsColumn:
        return QStringLiteral("Packets");
    case BytesColumn:
        return QStringLiteral("Bytes");
    }
    return {};
}

QVariant RulesetModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_ruleset)
        return {};
    const Location where = locate(index);
    const Table& table = m_ruleset->tables[size_t(where.table)];
    if (where.kind == Kind::Table)
        return tableData(table, index.column(), role);
    const Chain& chain = table.chains[size_t(where.chain)];
    if (where.kind == Kind::Chain)
        return chainData(table, chain, index.column(), role);
    if (role == UnreachableRole || (role == Qt::ToolTipRole && index.column() == RuleColumn)) {
        const std::string& reason = m_reachability->reason(size_t(where.table), size_t(where.chain), size_t(where.rule));
        if (role == UnreachableRole)
            return QString::fromStdString(reason);
        return reason.empty() ? QVariant() : QStringLiteral("Unreachable: %1").arg(QString::fromStdString(reason));
    }
    return ruleData(table, chain, chain.rules[size_t(where.rule)], index.column(), role);
}

QVariant RulesetModel::tableData(const Table& table, int column, int role) const
{
    const QString name = QString::fromStdString(table.name);
    switch (role) {
    case Qt::DisplayRole:
        if (column == RuleColumn)
            return name.isEmpty() ? QStringLiteral("(table not named)") : QStringLiteral("*") + name;
        return {};
    case KindRole:
        return int(Kind::Table);
    case LineRole:
        return table.line;
    case TableNameRole:
    case SearchTextRole:
        return name;
    }
    return {};
}

QVariant RulesetModel::chainData(const Table& table, const Chain& chain, int column, int role) const
{
    const QString name = QString::fromStdString(chain.name);
    switch (role) {
    case Qt::DisplayRole:
        if (column == RuleColumn) {
            const QString rules = chain.rules.size() == 1 ? QStringLiteral("1 rule")
                                                          : QStringLiteral("%1 rules").arg(chain.rules.size());
            if (chain.builtin)
                return QStringLiteral("%1  (policy %2, %3)").arg(name, QString::fromStdString(chain.policy), rules);
            return QStringLiteral("%1  (%2)").arg(name, rules);
        }
        // A built-in chain belongs to the kernel, whoever adds rules to it.
        if (column == ProvenanceColumn)
            return chain.builtin ? QStringLiteral("built-in") : provenanceLabel(chain.provenance);
        // A chain's counters are its policy's: a user chain has no policy, and the "[0:0]" saved for it counts
        // nothing.
        if (column == PacketsColumn || column == BytesColumn)
            return chain.builtin ? counterText(chain.counters, column == BytesColumn) : QString();
        return {};
    case Qt::EditRole:
        if ((column == PacketsColumn || column == BytesColumn) && chain.builtin)
            return counterValue(chain.counters, column == BytesColumn);
        return {};
    case Qt::ToolTipRole:
        return chain.provenanceReason.empty() ? QVariant() : QString::fromStdString(chain.provenanceReason);
    case Qt::TextAlignmentRole:
        if (column == PacketsColumn || column == BytesColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case KindRole:
        return int(Kind::Chain);
    case ProvenanceRole:
        return int(chain.provenance);
    case LineRole:
        return chain.line;
    case TableNameRole:
        return QString::fromStdString(table.name);
    case ChainNameRole:
    case SearchTextRole:
        return name;
    }
    return {};
}

QVariant RulesetModel::ruleData(const Table& table, const Chain& chain, const Rule& rule, int column, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        if (column == RuleColumn)
            return QString::fromStdString(parse::ruleText(rule, chain.name));
        if (column == ProvenanceColumn)
            return provenanceLabel(rule.provenance);
        if (column == PacketsColumn || column == BytesColumn)
            return counterText(rule.counters, column == BytesColumn);
        return {};
    case Qt::EditRole:
        if (column == PacketsColumn || column == BytesColumn)
            return counterValue(rule.counters, column == BytesColumn);
        return {};
    case Qt::ToolTipRole:
        if (column == ProvenanceColumn && !rule.provenanceReason.empty())
            return QString::fromStdString(rule.provenanceReason);
        return {};
    case Qt::TextAlignmentRole:
        if (column == PacketsColumn || column == BytesColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case KindRole:
        return int(Kind::Rule);
    case ProvenanceRole:
        return int(rule.provenance);
    case LineRole:
        return rule.line;
    case TableNameRole:
        return QString::fromStdString(table.name);
    case ChainNameRole:
        return QString::fromStdString(chain.name);
    case SearchTextRole:
        return QString::fromStdString(rule.text);
    }
    return {};
}

QModelIndex RulesetModel::indexForLine(int line) const
{
    if (!m_ruleset || line <= 0)
        return {};
    for (size_t t = 0; t < m_ruleset->tables.size(); ++t) {
        const Table& table = m_ruleset->tables[t];
        for (size_t c = 0; c < table.chains.size(); ++c) {
            const Chain& chain = table.chains[c];
            if (chain.line == line)
                return createIndex(int(c), 0, chainParentId(int(t)));
            for (size_t r = 0; r < chain.rules.size(); ++r) {
                if (chain.rules[r].line == line)
                    return createIndex(int(r), 0, ruleParentId(int(t), int(c)));
            }
        }
    }
    return {};
}

} // namespace model
