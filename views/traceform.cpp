#include "views/traceform.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>

#include <set>

namespace views {

using namespace model::engine;

namespace {

    const QString LocalProcess = QStringLiteral("Local process");

    QString qs(const std::string& text) { return QString::fromStdString(text); }

} // namespace

TraceForm::TraceForm(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("TraceForm"));
    m_ingress = new QComboBox(this);
    m_ingress->setObjectName(QStringLiteral("TraceIngress"));
    m_ingress->setEditable(true);
    m_ingress->setInsertPolicy(QComboBox::NoInsert);
    m_ingress->setToolTip(QStringLiteral("The interface the packet arrives on, or a process on the host itself"));
    m_ingress->setMinimumContentsLength(14);

    m_source = new QLineEdit(this);
    m_source->setObjectName(QStringLiteral("TraceSource"));
    m_source->setPlaceholderText(QStringLiteral("address, e.g. 100.64.10.20"));
    m_destination = new QLineEdit(this);
    m_destination->setObjectName(QStringLiteral("TraceDestination"));
    m_destination->setPlaceholderText(QStringLiteral("address, e.g. 172.18.0.2"));
    m_sourcePicker = pickerButton(m_source);
    m_sourcePicker->setObjectName(QStringLiteral("TraceSourcePicker"));
    m_destinationPicker = pickerButton(m_destination);
    m_destinationPicker->setObjectName(QStringLiteral("TraceDestinationPicker"));

    m_protocol = new QComboBox(this);
    m_protocol->setObjectName(QStringLiteral("TraceProtocol"));
    m_protocol->addItems({ QStringLiteral("tcp"), QStringLiteral("udp"), QStringLiteral("icmp") });
    m_sourcePort = new QSpinBox(this);
    m_sourcePort->setObjectName(QStringLiteral("TraceSourcePort"));
    m_sourcePort->setRange(1, 65535);
    m_sourcePort->setValue(40000);
    m_destinationPort = new QSpinBox(this);
    m_destinationPort->setObjectName(QStringLiteral("TraceDestinationPort"));
    m_destinationPort->setRange(1, 65535);
    m_destinationPort->setValue(80);
    connect(m_protocol, &QComboBox::currentTextChanged, this, [this](const QString& protocol) {
        const bool ports = protocol != QLatin1String("icmp");
        m_sourcePort->setEnabled(ports);
        m_destinationPort->setEnabled(ports);
    });
    m_state = new QComboBox(this);
    m_state->setObjectName(QStringLiteral("TraceState"));
    for (const CtState state : { CtState::New, CtState::Established, CtState::Related, CtState::Invalid })
        m_state->addItem(QString::fromUtf8(ctStateName(state)), int(state));
    m_state->setToolTip(QStringLiteral("Connection tracking state: NEW traces a connection attempt and its reply"));

    m_trace = new QPushButton(QStringLiteral("Trace"), this);
    m_trace->setObjectName(QStringLiteral("TraceButton"));
    m_trace->setDefault(true);
    connect(m_trace, &QPushButton::clicked, this, &TraceForm::traceRequested);
    for (QLineEdit* edit : { m_source, m_destination })
        connect(edit, &QLineEdit::returnPressed, this, &TraceForm::traceRequested);
    layOut();
}

void TraceForm::layOut()
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(6, 6, 6, 6);
    const auto label = [this](const char* text, QWidget* buddy) {
        auto* l = new QLabel(QString::fromUtf8(text), this);
        l->setBuddy(buddy);
        return l;
    };
    grid->addWidget(label("&Arrives on:", m_ingress), 0, 0);
    grid->addWidget(m_ingress, 0, 1, 1, 2);
    grid->addWidget(label("Pro&tocol:", m_protocol), 0, 3);
    grid->addWidget(m_protocol, 0, 4);
    grid->addWidget(label("St&ate:", m_state), 0, 5);
    grid->addWidget(m_state, 0, 6);
    grid->addWidget(label("&From:", m_source), 1, 0);
    grid->addWidget(m_source, 1, 1);
    grid->addWidget(m_sourcePicker, 1, 2);
    grid->addWidget(label("port", m_sourcePort), 1, 3);
    grid->addWidget(m_sourcePort, 1, 4);
    grid->addWidget(label("T&o:", m_destination), 2, 0);
    grid->addWidget(m_destination, 2, 1);
    grid->addWidget(m_destinationPicker, 2, 2);
    grid->addWidget(label("port", m_destinationPort), 2, 3);
    grid->addWidget(m_destinationPort, 2, 4);
    grid->addWidget(m_trace, 2, 6);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(7, 1);
}

QToolButton* TraceForm::pickerButton(QLineEdit* target)
{
    auto* button = new QToolButton(this);
    button->setText(QStringLiteral("Pick"));
    button->setToolTip(QStringLiteral("Choose a container, Docker network or host address by name"));
    button->setPopupMode(QToolButton::InstantPopup);
    // The style draws the menu arrow over the text's corner unless there is room for both.
    const int arrow = button->style()->pixelMetric(QStyle::PM_MenuButtonIndicator, nullptr, button);
    button->setMinimumWidth(button->sizeHint().width() + arrow);
    auto* menu = new QMenu(button);
    button->setMenu(menu);
    connect(menu, &QMenu::aboutToShow, this, [this, menu, target] {
        menu->clear();
        QString section;
        for (const Pick& pick : std::as_const(m_picks)) {
            if (pick.what != section) {
                section = pick.what;
                menu->addSection(section);
            }
            QAction* action = menu->addAction(QStringLiteral("%1   %2").arg(pick.name, pick.address));
            connect(action, &QAction::triggered, this, [target, address = pick.address] { target->setText(address); });
        }
        if (m_picks.isEmpty())
            menu->addAction(QStringLiteral("The snapshots name no containers or addresses"))->setEnabled(false);
    });
    return button;
}

void TraceForm::addPick(Pick pick)
{
    for (const Pick& known : std::as_const(m_picks)) {
        if (known.name == pick.name && known.address == pick.address)
            return;
    }
    m_picks << std::move(pick);
}

void TraceForm::setSnapshots(const QList<model::SnapshotPtr>& snapshots)
{
    m_picks.clear();
    std::set<QString> interfaces;
    for (const model::SnapshotPtr& snapshot : snapshots) {
        if (!snapshot)
            continue;
        if (snapshot->docker && snapshot->docker->networks) {
            for (const model::DockerNetwork& network : *snapshot->docker->networks) {
                for (const model::DockerEndpoint& endpoint : network.endpoints) {
                    if (!endpoint.ipv4.empty())
                        addPick({ qs(endpoint.containerName), qs(endpoint.ipv4), QStringLiteral("Containers") });
                }
                if (!network.bridgeName.empty())
                    interfaces.insert(qs(network.bridgeName));
            }
            for (const model::DockerNetwork& network : *snapshot->docker->networks) {
                for (const model::DockerSubnet& subnet : network.subnets) {
                    if (!subnet.gateway.empty() && !subnet.ipv6)
                        addPick({ qs(network.name), qs(subnet.gateway), QStringLiteral("Docker networks (gateway)") });
                }
            }
        }
        if (snapshot->interfaces) {
            for (const model::Interface& iface : *snapshot->interfaces) {
                interfaces.insert(qs(iface.name));
                for (const model::InterfaceAddress& address : iface.addresses) {
                    if (address.scope == "global")
                        addPick({ qs(iface.name), qs(address.address), QStringLiteral("Host addresses") });
                }
            }
        }
    }
    std::stable_sort(m_picks.begin(), m_picks.end(), [](const Pick& a, const Pick& b) {
        const auto rank = [](const QString& what) { return what.startsWith(QLatin1String("Containers")) ? 0 : what.startsWith(QLatin1String("Docker")) ? 1 : 2; };
        return rank(a.what) < rank(b.what);
    });
    const QString current = m_ingress->currentText();
    m_ingress->clear();
    for (const QString& name : interfaces)
        m_ingress->addItem(name);
    m_ingress->addItem(LocalProcess);
    const int keep = m_ingress->findText(current);
    const int eth = m_ingress->findText(QStringLiteral("eth0"));
    m_ingress->setCurrentIndex(keep >= 0 ? keep : eth >= 0 ? eth : 0);
}

bool TraceForm::chooseIngress(const QString& name)
{
    const int index = m_ingress->findText(name);
    if (index < 0)
        return false;
    m_ingress->setCurrentIndex(index);
    return true;
}

bool TraceForm::pickInto(QLineEdit* target, const QString& name)
{
    for (const Pick& pick : std::as_const(m_picks)) {
        if (pick.name == name) {
            target->setText(pick.address);
            return true;
        }
    }
    return false;
}

bool TraceForm::pickSource(const QString& name) { return pickInto(m_source, name); }
bool TraceForm::pickDestination(const QString& name) { return pickInto(m_destination, name); }
void TraceForm::setSource(const QString& address) { m_source->setText(address); }
void TraceForm::setDestination(const QString& address) { m_destination->setText(address); }
void TraceForm::setProtocol(const QString& name) { m_protocol->setCurrentText(name); }
void TraceForm::setDestinationPort(int port) { m_destinationPort->setValue(port); }

std::optional<Packet> TraceForm::packet(QString* error) const
{
    const auto src = IpAddress::parse(m_source->text().trimmed().toStdString());
    const auto dst = IpAddress::parse(m_destination->text().trimmed().toStdString());
    if (!src) {
        *error = QStringLiteral("From: give an IPv4 or IPv6 address, or pick a container or network");
        return std::nullopt;
    }
    if (!dst) {
        *error = QStringLiteral("To: give an IPv4 or IPv6 address, or pick a container or network");
        return std::nullopt;
    }
    if (src->family != dst->family) {
        *error = QStringLiteral("From and To must both be IPv4 or both be IPv6");
        return std::nullopt;
    }
    Packet packet;
    packet.family = dst->family;
    const QString ingress = m_ingress->currentText().trimmed();
    if (ingress.isEmpty()) {
        *error = QStringLiteral("Arrives on: name an interface, or choose Local process");
        return std::nullopt;
    }
    packet.fromLocalProcess = ingress == LocalProcess;
    if (!packet.fromLocalProcess)
        packet.inInterface = ingress.toStdString();
    packet.header.src = *src;
    packet.header.dst = *dst;
    const bool v6 = dst->family == model::Family::IPv6;
    const QString protocol = m_protocol->currentText();
    packet.header.protocol = protocol == QLatin1String("udp") ? Proto::Udp
        : protocol == QLatin1String("icmp")                   ? (v6 ? Proto::Icmpv6 : Proto::Icmp)
                                                              : Proto::Tcp;
    if (packet.header.hasPorts()) {
        packet.header.sport = std::uint16_t(m_sourcePort->value());
        packet.header.dport = std::uint16_t(m_destinationPort->value());
    } else {
        packet.header.icmpType = v6 ? 128 : 8; // echo request
    }
    packet.state = CtState(m_state->currentData().toInt());
    if (packet.state != CtState::New)
        packet.header.tcpFlags = TcpFlag::Ack;
    return packet;
}

} // namespace views
