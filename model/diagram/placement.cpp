#include "model/diagram/layoutparts.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace model::diagram::detail {

using engine::Hook;

namespace {

    constexpr double kPadX = 8;
    constexpr double kPadY = 4;
    constexpr double kFramePad = 10;
    constexpr double kIndent = 18;
    constexpr double kChildGap = 8;
    constexpr double kColumnGap = 64;
    constexpr double kLaneGap = 64;
    constexpr double kMinFrameWidth = 170;
    constexpr double kAnchor = 13; // a frame's edges meet it level with its title

    enum Column : std::size_t { Ingress, Pre, Routing, ForwardInput, Local, Output, Post, Egress, ColumnCount };

    std::size_t textChars(const std::string& text)
    {
        return static_cast<std::size_t>(
            std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    }

    double textWidth(const Node& n)
    {
        double width = static_cast<double>(textChars(n.title)) * kTitleCharWidth;
        for (const std::string& line : n.lines)
            width = std::max(width, static_cast<double>(textChars(line)) * kCharWidth);
        return width + 2 * kPadX;
    }

    bool isFrame(const Node& n) { return n.kind == Node::Kind::Hook || n.kind == Node::Kind::Network; }

    double headerHeight(const Node& frame)
    {
        return kLineHeight + 10 + static_cast<double>(frame.lines.size()) * kLineHeight;
    }

    double indentOf(const Node& n) { return static_cast<double>(n.depth) * kIndent; }

    std::size_t columnOf(const Node& n)
    {
        switch (n.kind) {
        case Node::Kind::Ingress: return Ingress;
        case Node::Kind::Routing: return Routing;
        case Node::Kind::LocalProcess: return Local;
        case Node::Kind::Egress:
        case Node::Kind::Network: return Egress;
        case Node::Kind::More: return n.id.rfind("in:", 0) == 0 ? Ingress : Egress;
        case Node::Kind::Hook:
            switch (*hookFromName(n.hook)) {
            case Hook::Prerouting: return Pre;
            case Hook::Input:
            case Hook::Forward: return ForwardInput;
            case Hook::Output: return Output;
            case Hook::Postrouting: return Post;
            }
            break;
        default: break;
        }
        return Egress;
    }

    struct Placer {
        Layout& layout;
        std::map<std::string, std::vector<Node*>> children;
        std::array<std::vector<Node*>, ColumnCount> columns;
        std::array<double, ColumnCount> widths {};

        explicit Placer(Layout& l)
            : layout(l)
        {
            for (Node& n : layout.nodes) {
                n.rect.height = (1 + static_cast<double>(n.lines.size())) * kLineHeight + 2 * kPadY;
                n.rect.width = textWidth(n);
                if (!n.parent.empty())
                    children[n.parent].push_back(&n);
                else
                    columns[columnOf(n)].push_back(&n);
            }
        }

        void sizeFrames()
        {
            for (auto& column : columns) {
                for (Node* n : column) {
                    if (!isFrame(*n))
                        continue;
                    double width = std::max(textWidth(*n), n->kind == Node::Kind::Hook ? kMinFrameWidth : 0.0);
                    double height = headerHeight(*n);
                    for (const Node* c : children[n->id]) {
                        width = std::max(width, indentOf(*c) + c->rect.width + 2 * kFramePad);
                        height += c->rect.height + kChildGap;
                    }
                    n->rect.width = width;
                    n->rect.height = height + kFramePad - kChildGap + (children[n->id].empty() ? kChildGap : 0);
                }
            }
            for (std::size_t i = 0; i < ColumnCount; ++i) {
                for (Node* n : columns[i])
                    widths[i] = std::max(widths[i], n->rect.width);
            }
        }

        void putFrame(Node& frame, double x, double y)
        {
            frame.rect.x = x;
            frame.rect.y = y;
            double cursor = y + headerHeight(frame);
            for (Node* c : children[frame.id]) {
                c->rect.x = x + kFramePad + indentOf(*c);
                c->rect.y = cursor;
                c->rect.width = frame.rect.width - 2 * kFramePad - indentOf(*c);
                cursor += c->rect.height + kChildGap;
            }
        }

        void put(Node& n, double x, double y, bool stretch, std::size_t column)
        {
            if (stretch)
                n.rect.width = widths[column];
            if (isFrame(n))
                putFrame(n, x, y);
            n.rect.x = x;
            n.rect.y = y;
        }

        void run()
        {
            sizeFrames();
            std::array<double, ColumnCount> x {};
            for (std::size_t i = 1; i < ColumnCount; ++i)
                x[i] = x[i - 1] + widths[i - 1] + kColumnGap;
            for (std::size_t column : { Ingress, Egress }) {
                double y = 0;
                for (Node* n : columns[column]) {
                    put(*n, x[column], y, true, column);
                    y += n->rect.height + 12;
                }
            }
            double laneY = 0;
            for (std::size_t column : { Pre, Routing, ForwardInput, Post }) {
                for (Node* n : columns[column]) {
                    if (n->kind == Node::Kind::Hook && n->hook == "INPUT")
                        continue;
                    const double y = n->kind == Node::Kind::Routing ? kAnchor - n->rect.height / 2 : 0;
                    put(*n, x[column], y, true, column);
                    if (column == ForwardInput || column == Routing)
                        laneY = std::max(laneY, n->rect.bottom() + kLaneGap);
                }
            }
            for (std::size_t column : { ForwardInput, Local, Output }) {
                for (Node* n : columns[column]) {
                    if (column == ForwardInput && n->hook != "INPUT")
                        continue;
                    const double y = n->kind == Node::Kind::LocalProcess ? laneY + kAnchor - n->rect.height / 2 : laneY;
                    put(*n, x[column], y, true, column);
                }
            }
        }
    };

    double anchorY(const Node& n) { return isFrame(n) ? n.rect.y + kAnchor : n.rect.y + n.rect.height / 2; }

    double clampInto(double y, const Node& n)
    {
        if (!isFrame(n))
            return anchorY(n);
        return std::clamp(y, n.rect.y + kAnchor, std::max(n.rect.y + kAnchor, n.rect.bottom() - 10));
    }

    std::vector<Point> stageEdge(const Node& from, const Node& to)
    {
        const double sy = clampInto(anchorY(to), from);
        const double ty = clampInto(sy, to);
        const Point start { from.rect.right(), sy };
        const Point end { to.rect.x, ty };
        if (std::abs(sy - ty) < 0.5)
            return { start, end };
        const double mx = (start.x + end.x) / 2;
        return { start, { mx, sy }, { mx, ty }, end };
    }

    std::vector<Point> tableEdge(const Node& a, const Node& b, const Node& frame)
    {
        const double bus = frame.rect.right() - kFramePad / 2;
        return { { a.rect.right(), a.rect.y + 10 }, { bus, a.rect.y + 10 }, { bus, b.rect.y + 10 },
            { b.rect.right(), b.rect.y + 10 } };
    }

    // Down from the caller's left edge and into the callee, like a tree; along the frame's left margin when a
    // box lies in the way.
    std::vector<Point> jumpEdge(const Node& p, const Node& c, const Node& frame, const std::vector<Node*>& siblings)
    {
        const double x0 = p.rect.x + 9;
        bool clear = c.rect.y > p.rect.bottom() && c.rect.x > x0;
        for (const Node* s : siblings) {
            if (clear && s != &p && s != &c && s->rect.y > p.rect.y && s->rect.y < c.rect.y && s->rect.x <= x0)
                clear = false;
        }
        if (clear)
            return { { x0, p.rect.bottom() }, { x0, c.rect.y + 10 }, { c.rect.x, c.rect.y + 10 } };
        const double bus = frame.rect.x + kFramePad / 2;
        return { { p.rect.x, p.rect.y + 10 }, { bus, p.rect.y + 10 }, { bus, c.rect.y + 10 },
            { c.rect.x, c.rect.y + 10 } };
    }

    void translate(Layout& layout)
    {
        double minX = 0;
        double minY = 0;
        double maxX = 0;
        double maxY = 0;
        for (const Node& n : layout.nodes) {
            minX = std::min(minX, n.rect.x);
            minY = std::min(minY, n.rect.y);
            maxX = std::max(maxX, n.rect.right());
            maxY = std::max(maxY, n.rect.bottom());
        }
        for (Node& n : layout.nodes) {
            n.rect.x -= minX;
            n.rect.y -= minY;
        }
        for (Edge& e : layout.edges) {
            for (Point& p : e.points) {
                p.x -= minX;
                p.y -= minY;
            }
        }
        layout.bounds = { 0, 0, maxX - minX, maxY - minY };
    }

} // namespace

void place(Draft& draft)
{
    Placer placer(draft.layout);
    placer.run();
    for (Edge& e : draft.layout.edges) {
        const Node* from = draft.find(e.from);
        const Node* to = draft.find(e.to);
        const Node* frame = from->parent.empty() ? nullptr : draft.find(from->parent);
        if (!frame || from->parent != to->parent)
            e.points = stageEdge(*from, *to);
        else if (e.kind == Edge::Kind::Flow)
            e.points = tableEdge(*from, *to, *frame);
        else
            e.points = jumpEdge(*from, *to, *frame, placer.children[frame->id]);
    }
    translate(draft.layout);
}

} // namespace model::diagram::detail
