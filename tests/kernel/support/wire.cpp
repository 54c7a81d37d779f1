#include "support/wire.h"

#include <QRandomGenerator>

namespace ktest::wire {

void put16(QByteArray& bytes, int at, quint16 value)
{
    bytes[at] = char(value >> 8);
    bytes[at + 1] = char(value & 0xff);
}

quint16 get16(const uchar* data)
{
    return quint16((data[0] << 8) | data[1]);
}

quint16 checksum(const QByteArray& data, quint32 initial)
{
    quint32 sum = initial;
    const auto* p = reinterpret_cast<const uchar*>(data.constData());
    for (int i = 0; i + 1 < data.size(); i += 2)
        sum += quint32((p[i] << 8) | p[i + 1]);
    if (data.size() % 2)
        sum += quint32(p[data.size() - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum & 0xffff);
}

QByteArray transport(const ProbeHeader& h)
{
    QByteArray l4;
    if (h.proto == kTcp) {
        l4 = QByteArray(20, '\0');
        put16(l4, 0, h.sport);
        put16(l4, 2, h.dport);
        const quint32 seq = h.seq ? h.seq : QRandomGenerator::global()->generate();
        for (int i = 0; i < 4; ++i) {
            l4[4 + i] = char(seq >> (24 - 8 * i));
            l4[8 + i] = char(h.ack >> (24 - 8 * i));
        }
        l4[12] = char(5 << 4);
        l4[13] = char(h.tcpFlags);
        put16(l4, 14, 64240);
    } else if (h.proto == kUdp) {
        l4 = QByteArray(8, '\0') + QByteArray("csk!");
        put16(l4, 0, h.sport);
        put16(l4, 2, h.dport);
        put16(l4, 4, quint16(l4.size()));
    } else {
        l4 = QByteArray(8, '\0') + (h.quoted.isEmpty() ? QByteArray("chainsight") : h.quoted);
        l4[0] = char(h.icmpType);
        l4[1] = char(h.icmpCode);
        put16(l4, 4, h.sport); // echo identifier
        put16(l4, 6, h.quoted.isEmpty() ? 1 : 0);
    }
    return l4;
}

int checksumOffset(quint8 proto)
{
    return proto == kTcp ? 16 : proto == kUdp ? 6 : 2;
}

} // namespace ktest::wire
