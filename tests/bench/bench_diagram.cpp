// Diagram layouts per second on generated large rulesets: the layout must stay cheap enough to recompute on
// every flow the user picks. Run: build/tests/bench/bench_diagram
#include "rulesetgenerator.h"

#include "model/diagram/layout.h"
#include "model/parse/iptables.h"

#include <benchmark/benchmark.h>

using namespace model;

namespace {

Snapshot snapshotOf(const std::string& text)
{
    Snapshot s;
    s.ipv4 = std::make_shared<const Ruleset>(*parse::parseIptablesSave(text, Family::IPv4));
    return s;
}

void layoutKubeProxy(benchmark::State& state)
{
    const Snapshot s = snapshotOf(bench::kubeProxyRuleset(static_cast<int>(state.range(0))));
    std::size_t nodes = 0;
    for (auto _ : state) {
        const diagram::Layout layout = diagram::computeLayout(s, {}, {});
        nodes = layout.nodes.size();
        diagram::Rect bounds = layout.bounds; // non-const: the const overload is deprecated in newer Google Benchmark
        benchmark::DoNotOptimize(bounds);
    }
    state.counters["rules"] = static_cast<double>(s.ipv4->ruleCount());
    state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(layoutKubeProxy)->Arg(5000)->Unit(benchmark::kMillisecond);

void layoutDockerHost(benchmark::State& state)
{
    const Snapshot s = snapshotOf(bench::dockerHostRuleset(50, 300));
    std::size_t nodes = 0;
    for (auto _ : state) {
        const diagram::Layout layout = diagram::computeLayout(s, {}, {});
        nodes = layout.nodes.size();
        diagram::Rect bounds = layout.bounds; // non-const: the const overload is deprecated in newer Google Benchmark
        benchmark::DoNotOptimize(bounds);
    }
    state.counters["rules"] = static_cast<double>(s.ipv4->ruleCount());
    state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(layoutDockerHost)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
