// The semantic diff end to end (both engines built beforehand): the Docker fixture pairs, two generated Docker
// hosts of about 5,000 rules, and the generated 70k-rule kube-proxy pair. Prints boxes, classes and peak memory.
// Run: build/release/tests/bench/bench_flowdiff
#include "rulesetgenerator.h"

#include "model/diff/flowdiff.h"
#include "model/parse/iptables.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace model;
using namespace model::engine;

namespace {

HostModel dockerHost()
{
    HostModel h;
    h.setInterfacesCaptured(true);
    auto iface = [&](const char* name, const char* addr, int len, bool bridge) {
        IpPrefix a = IpPrefix::host(*IpAddress::parse(addr));
        a.mask = a.withLength(len).mask;
        a.length = len;
        h.addInterface(HostInterface { name, { a }, bridge, {} });
    };
    iface("eth0", "10.0.0.10", 24, false);
    iface("docker0", "172.17.0.1", 16, true);
    iface("br-897b3066eb8a", "172.18.0.1", 16, true);
    iface("tailscale0", "100.101.102.103", 32, false);
    h.addRoute(HostRoute {
        *IpPrefix::parse("100.64.0.0/10"), "tailscale0", std::nullopt, std::nullopt, "unicast", 0, "captured" });
    h.addRoute(HostRoute {
        *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt, "unicast", 0, "captured" });
    h.addIpSet(IpSet { "docker-ext-bridges-v4", "hash:net", "inet", {}, { "172.18.0.0/16", "172.17.0.0/16" } });
    h.setSysctl("net.ipv4.ip_forward", "1");
    h.setSysctl("net.bridge.bridge-nf-call-iptables", "1");
    return h;
}

RulesetPtr parseText(const std::string& text, Family family)
{
    auto r = parse::parseIptablesSave(text, family);
    return r ? std::make_shared<const Ruleset>(std::move(r).value()) : nullptr;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::shared_ptr<const Engine> engineOf(const std::string& v4, const std::string& v6 = {})
{
    return std::make_shared<const Engine>(
        parseText(v4, Family::IPv4), v6.empty() ? nullptr : parseText(v6, Family::IPv6), dockerHost());
}

long statusKb(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0)
            return std::stol(line.substr(std::string(key).size()));
    return 0;
}

void runDiff(benchmark::State& state, const Engine& before, const Engine& after, const diff::FlowDiffOptions& options = {})
{
    std::size_t boxes = 0, classes = 0;
    for (auto _ : state) {
        auto d = diff::computeFlowDiff(before, after, options);
        boxes = d->boxes;
        classes = d->classes.size() + d->depends.size();
        benchmark::DoNotOptimize(d);
    }
    state.counters["boxes"] = static_cast<double>(boxes);
    state.counters["classes"] = static_cast<double>(classes);
    state.counters["peak_MB"] = static_cast<double>(statusKb("VmHWM:")) / 1024.0;
}

void BM_FlowDiffDockerFixture(benchmark::State& state)
{
    static const char* scenarios[] { "a-default-bridge", "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" };
    const std::string scenario = scenarios[state.range(0)];
    const std::string dir = std::string(CHAINSIGHT_FIXTURES_DIR) + "/docker-";
    auto load = [&](const char* version) {
        const std::string base = dir + version + '-' + scenario;
        return engineOf(readFile(base + ".rules"), readFile(base + ".ip6.rules"));
    };
    const auto before = load("27.5.1");
    const auto after = load("28.x");
    state.SetLabel("27.5.1 vs 28.x " + scenario);
    runDiff(state, *before, *after);
}

void BM_FlowDiffDockerHost5k(benchmark::State& state)
{
    // The same host before and after 50 more ports were published (about 4,900 rules each).
    static const auto before = engineOf(bench::dockerHostRuleset(40, 1500));
    static const auto after = engineOf(bench::dockerHostRuleset(40, 1550));
    state.counters["rules"] = static_cast<double>(after->ruleset(Family::IPv4)->ruleCount());
    runDiff(state, *before, *after);
}

void BM_FlowDiffDockerHost5kFull(benchmark::State& state)
{
    // The same pair searched over the whole header space (FlowDiffOptions::prune off), for comparison.
    static const auto before = engineOf(bench::dockerHostRuleset(40, 1500));
    static const auto after = engineOf(bench::dockerHostRuleset(40, 1550));
    diff::FlowDiffOptions options;
    options.prune = false;
    runDiff(state, *before, *after, options);
}

void BM_FlowDiffKubeProxy70k(benchmark::State& state)
{
    // 5,000 services (about 70,000 rules) against the same node with 300 more.
    static const auto before = engineOf(bench::kubeProxyRuleset(5000));
    static const auto after = engineOf(bench::kubeProxyRuleset(5300));
    state.counters["rules"] = static_cast<double>(after->ruleset(Family::IPv4)->ruleCount());
    runDiff(state, *before, *after);
}

} // namespace

BENCHMARK(BM_FlowDiffDockerFixture)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FlowDiffDockerHost5k)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_FlowDiffDockerHost5kFull)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_FlowDiffKubeProxy70k)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
