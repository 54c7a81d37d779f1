#pragma once

#include "model/engine/packet.h"
#include "model/snapshot.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace views {

// The packet to trace: where it arrives (an interface of either snapshot, or a local process), source and
// destination (typed, or picked from the snapshots' containers, Docker networks and host addresses by name),
// protocol, ports and connection state.
class TraceForm final : public QWidget {
    Q_OBJECT
public:
    explicit TraceForm(QWidget* parent = nullptr);

    // Fills the pickers from these snapshots (interfaces, Docker networks and containers of all of them).
    void setSnapshots(const QList<model::SnapshotPtr>& snapshots);

    // The packet as filled in, or nullopt with *error saying which field is wrong.
    std::optional<model::engine::Packet> packet(QString* error) const;

    // Picks by the names shown in the pickers ("web", "mynet", "Local process"); false when not offered.
    bool chooseIngress(const QString& name);
    bool pickSource(const QString& name);
    bool pickDestination(const QString& name);
    void setSource(const QString& address);
    void setDestination(const QString& address);
    void setProtocol(const QString& name);
    void setDestinationPort(int port);

Q_SIGNALS:
    void traceRequested();

private:
    struct Pick {
        QString name; // "web", "mynet", "eth0"
        QString address;
        QString what; // "container on mynet", "Docker network gateway", "host address"
    };
    void layOut();
    QToolButton* pickerButton(QLineEdit* target);
    bool pickInto(QLineEdit* target, const QString& name);
    void addPick(Pick pick);

    QComboBox* m_ingress = nullptr;
    QLineEdit* m_source = nullptr;
    QLineEdit* m_destination = nullptr;
    QToolButton* m_sourcePicker = nullptr;
    QToolButton* m_destinationPicker = nullptr;
    QComboBox* m_protocol = nullptr;
    QSpinBox* m_sourcePort = nullptr;
    QSpinBox* m_destinationPort = nullptr;
    QComboBox* m_state = nullptr;
    QPushButton* m_trace = nullptr;
    QList<Pick> m_picks;
};

} // namespace views
