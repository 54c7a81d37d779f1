// Interval sets against a plain bit set over a small range of values: every operation, for sets of a few and of
// many intervals (the symbolic diff tests small facts against conditions with thousands of holes).
#include "model/engine/intervalset.h"

#include <QTest>

#include <bitset>
#include <random>

using namespace model::engine;

namespace {

constexpr std::size_t kValues = 512;
using Bits = std::bitset<kValues>;

IntervalSet setOf(const Bits& bits)
{
    std::vector<Interval> items;
    for (std::size_t v = 0; v < kValues; ++v)
        if (bits[v])
            items.push_back({ v, v });
    return IntervalSet::fromIntervals(std::move(items));
}

Bits bitsOf(const IntervalSet& set)
{
    Bits bits;
    for (const Interval& i : set.intervals())
        for (U128 v = i.lo; v <= i.hi; ++v)
            bits.set(static_cast<std::size_t>(v));
    return bits;
}

// Runs of set values: `runs` of them at random places, each up to `length` long.
Bits randomBits(std::mt19937& rng, int runs, int length)
{
    Bits bits;
    for (int r = 0; r < runs; ++r) {
        const std::size_t at = rng() % kValues;
        const std::size_t len = 1 + rng() % static_cast<std::size_t>(length);
        for (std::size_t v = at; v < std::min(kValues, at + len); ++v)
            bits.set(v);
    }
    return bits;
}

} // namespace

class TestIntervalSet final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesBitSets_data()
    {
        QTest::addColumn<int>("runsA");
        QTest::addColumn<int>("runsB");
        QTest::newRow("few and few") << 3 << 2;
        QTest::newRow("one against many") << 1 << 150;
        QTest::newRow("many against one") << 150 << 1;
        QTest::newRow("few against many") << 4 << 120;
        QTest::newRow("none against many") << 0 << 100;
        QTest::newRow("many and many") << 90 << 110;
    }

    void matchesBitSets()
    {
        QFETCH(int, runsA);
        QFETCH(int, runsB);
        std::mt19937 rng(static_cast<std::uint32_t>(runsA * 1000 + runsB));
        for (int round = 0; round < 400; ++round) {
            const int length = round % 3 == 0 ? 1 : 6;
            const Bits a = randomBits(rng, runsA, length);
            const Bits b = randomBits(rng, runsB, length);
            const IntervalSet sa = setOf(a);
            const IntervalSet sb = setOf(b);
            QCOMPARE(bitsOf(sa), a);
            QCOMPARE(bitsOf(sa.intersected(sb)), a & b);
            QCOMPARE(bitsOf(sa.subtracted(sb)), a & ~b);
            QCOMPARE(bitsOf(sa.united(sb)), a | b);
            QCOMPARE(sa.intersects(sb), (a & b).any());
            QCOMPARE(sb.intersects(sa), (a & b).any());
            QCOMPARE(sa.includes(sb), (b & ~a).none());
            QCOMPARE(sb.includes(sa), (a & ~b).none());
            QCOMPARE(sa.includes(sa.intersected(sb)), true);
            for (std::size_t v : { std::size_t { 0 }, rng() % kValues, kValues - 1 })
                QCOMPARE(sa.contains(v), a[v]);
        }
    }

    void oneRangeIncludesByItsEnds()
    {
        const IntervalSet range = IntervalSet::range(10, 20);
        QVERIFY(range.includes(IntervalSet::fromIntervals({ { 10, 11 }, { 14, 14 }, { 19, 20 } })));
        QVERIFY(!range.includes(IntervalSet::fromIntervals({ { 10, 11 }, { 19, 21 } })));
        QVERIFY(!range.includes(IntervalSet::fromIntervals({ { 9, 9 }, { 12, 12 } })));
        QVERIFY(range.includes(IntervalSet()));
        QVERIFY(!IntervalSet().includes(range));
    }
};

QTEST_GUILESS_MAIN(TestIntervalSet)
#include "tst_intervalset.moc"
