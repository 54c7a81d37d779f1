#include "views/emptystate.h"

#include "views/appicon.h"

#include <QAction>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace views {

namespace {

    QString shortcutText(const QAction* action) { return action->shortcut().toString(QKeySequence::NativeText); }

    QToolButton* buttonFor(QAction* action, QWidget* parent)
    {
        auto* button = new QToolButton(parent);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setMinimumWidth(180);
        button->setAutoRaise(false);
        return button;
    }

} // namespace

EmptyState::EmptyState(QAction* openSnapshot, QAction* connectToHost, QWidget* parent)
    : QWidget(parent)
    , m_message(QStringLiteral("Open a snapshot (%1) or connect to a host (%2)")
                    .arg(shortcutText(openSnapshot), shortcutText(connectToHost)))
{
    setObjectName(QStringLiteral("EmptyState"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);

    auto* icon = new QLabel(this);
    icon->setPixmap(applicationIcon().pixmap(96, 96));
    icon->setAlignment(Qt::AlignCenter);

    auto* title = new QLabel(QStringLiteral("No snapshot open"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);

    auto* message = new QLabel(m_message, this);
    message->setObjectName(QStringLiteral("EmptyStateMessage"));
    message->setAlignment(Qt::AlignCenter);

    auto* hint = new QLabel(QStringLiteral("Chainsight compares a host's firewall before and after a Docker upgrade\n"
                                           "and explains which packets changed fate, and why."),
        this);
    hint->setAlignment(Qt::AlignCenter);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(buttonFor(openSnapshot, this));
    buttons->addWidget(buttonFor(connectToHost, this));
    buttons->addStretch();

    auto* layout = new QVBoxLayout(this);
    layout->addStretch(3);
    layout->addWidget(icon);
    layout->addSpacing(12);
    layout->addWidget(title);
    layout->addWidget(message);
    layout->addSpacing(16);
    layout->addLayout(buttons);
    layout->addSpacing(24);
    layout->addWidget(hint);
    layout->addStretch(4);
}

QString EmptyState::message() const { return m_message; }

} // namespace views
