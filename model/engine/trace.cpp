#include "model/engine/trace.h"

namespace model::engine {

const char* hookName(Hook h) noexcept
{
    switch (h) {
    case Hook::Prerouting: return "PREROUTING";
    case Hook::Input: return "INPUT";
    case Hook::Forward: return "FORWARD";
    case Hook::Output: return "OUTPUT";
    case Hook::Postrouting: return "POSTROUTING";
    }
    return "PREROUTING";
}

const char* fateName(Fate f) noexcept
{
    switch (f) {
    case Fate::Accept: return "ACCEPT";
    case Fate::Drop: return "DROP";
    case Fate::Reject: return "REJECT";
    case Fate::Depends: return "DEPENDS";
    }
    return "DROP";
}

std::string RuleRef::display() const
{
    if (!other.empty())
        return other;
    if (isPolicy())
        return table + '/' + chain + " policy " + policy;
    return text;
}

std::string RuleRef::qualified() const
{
    if (!other.empty() || isPolicy())
        return display();
    return table + '/' + chain + ": " + text;
}

std::string Delivery::describe() const
{
    std::string where;
    switch (kind) {
    case Kind::None: return "not delivered";
    case Kind::LocalSocket: where = "a local socket on " + address.toString(); break;
    case Kind::Container: where = "container " + (container.empty() ? address.toString() : container); break;
    case Kind::Interface: where = "out of " + interface; break;
    }
    if (port != 0)
        where += " port " + std::to_string(port);
    if (kind == Kind::Container) {
        if (!network.empty())
            where += " on network " + network;
        where += " via " + interface;
    } else if (kind == Kind::Interface && !nextHop.empty()) {
        where += " via " + nextHop;
    }
    return where;
}

std::string FlowResult::qualifiedDeciding() const
{
    return decidedByReply ? "reply " + deciding.qualified() : deciding.qualified();
}

} // namespace model::engine
