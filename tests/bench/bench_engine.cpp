// Traces per second: on the shared Docker fixtures and on a generated 70k-rule kube-proxy-style ruleset,
// one thread and all threads. Run: build/tests/bench/bench_engine
#include "rulesetgenerator.h"

#include "model/engine/engine.h"
#include "model/parse/iptables.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <thread>

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
    h.addRoute(HostRoute { *IpPrefix::parse("100.64.0.0/10"), "tailscale0", std::nullopt, std::nullopt, "unicast", 0, "captured" });
    h.addRoute(HostRoute { *IpPrefix::parse("0.0.0.0/0"), "eth0", IpAddress::parse("10.0.0.1"), std::nullopt, "unicast", 0, "captured" });
    // The ipset Docker 28.0.0 matches on, as `ipset save` shows it on such a host.
    h.addIpSet(IpSet { "docker-ext-bridges-v4", "hash:net", "inet", {}, { "172.18.0.0/16", "172.17.0.0/16" } });
    h.setSysctl("net.ipv4.ip_forward", "1");
    h.setSysctl("net.bridge.bridge-nf-call-iptables", "1");
    return h;
}

RulesetPtr parseFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto r = parse::parseIptablesSave(text.str(), Family::IPv4);
    if (!r)
        return nullptr;
    return std::make_shared<const Ruleset>(std::move(r).value());
}

Packet packet(const char* in, const char* src, const char* dst, std::uint16_t dport)
{
    Packet p;
    p.inInterface = in;
    p.header.src = *IpAddress::parse(src);
    p.header.dst = *IpAddress::parse(dst);
    p.header.sport = 40000;
    p.header.dport = dport;
    return p;
}

struct Workload {
    std::vector<std::shared_ptr<const Engine>> engines;
    std::vector<Packet> packets;
};

const Workload& fixtures()
{
    static const Workload w = [] {
        Workload out;
        for (const char* version : { "27.5.1", "28.0.0", "28.x" }) {
            for (const char* scenario : { "a-default-bridge", "b-usernet-portmap", "c-tailscale", "d-oracle-cloud" }) {
                const std::string path = std::string(CHAINSIGHT_FIXTURES_DIR) + "/docker-" + version + '-' + scenario + ".rules";
                if (auto rules = parseFile(path))
                    out.engines.push_back(std::make_shared<const Engine>(rules, nullptr, dockerHost()));
            }
        }
        out.packets = { packet("eth0", "203.0.113.7", "10.0.0.10", 8080), packet("eth0", "10.0.0.50", "172.18.0.2", 80),
            packet("eth0", "10.0.0.50", "172.18.0.2", 22), packet("br-897b3066eb8a", "172.18.0.2", "1.1.1.1", 443),
            packet("tailscale0", "100.64.10.20", "100.101.102.103", 8080),
            packet("tailscale0", "100.64.10.20", "172.18.0.2", 80), packet("br-897b3066eb8a", "172.18.0.2", "100.64.10.20", 443),
            packet("tailscale0", "100.64.10.20", "1.1.1.1", 443), packet("tailscale0", "100.64.10.20", "10.0.0.50", 443) };
        return out;
    }();
    return w;
}

Workload kubeWorkload(bool chainIndex)
{
    Workload out;
    constexpr int services = 5000; // about 70,000 rules
    auto rules = parse::parseIptablesSave(bench::kubeProxyRuleset(services), Family::IPv4);
    if (!rules)
        return out;
    HostModel host = dockerHost();
    EngineOptions options;
    options.chainIndex = chainIndex;
    out.engines.push_back(std::make_shared<const Engine>(std::make_shared<const Ruleset>(std::move(rules).value()),
        nullptr, std::move(host), options));
    // Cluster IPs and ports as the generator assigns them, spread over the whole KUBE-SERVICES chain.
    for (int i = 0; i < 64; ++i) {
        const int s = (i * 7919) % services;
        const std::string dst = "10." + std::to_string(96 + s / 65536) + '.' + std::to_string((s / 256) % 256) + '.'
            + std::to_string(s % 256);
        out.packets.push_back(packet("eth0", "10.0.0.50", dst.c_str(), static_cast<std::uint16_t>(80 + (s % 7) * 1000)));
    }
    return out;
}

const Workload& kube()
{
    static const Workload w = kubeWorkload(true);
    return w;
}

// The same without the chain index: every KUBE-SERVICES rule is tested in turn.
const Workload& kubeLinear()
{
    static const Workload w = kubeWorkload(false);
    return w;
}

void runTraces(benchmark::State& state, const Workload& w)
{
    if (w.engines.empty() || w.packets.empty()) {
        state.SkipWithError("workload could not be built");
        return;
    }
    std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7;
    for (auto _ : state) {
        const Engine& e = *w.engines[i % w.engines.size()];
        const Packet& p = w.packets[(i / w.engines.size()) % w.packets.size()];
        benchmark::DoNotOptimize(e.trace(p));
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_TraceDockerFixtures(benchmark::State& state) { runTraces(state, fixtures()); }
void BM_TraceKubeProxy70k(benchmark::State& state) { runTraces(state, kube()); }
void BM_TraceKubeProxy70kLinear(benchmark::State& state) { runTraces(state, kubeLinear()); }

void BM_CompileKubeProxy70k(benchmark::State& state)
{
    auto rules = parse::parseIptablesSave(bench::kubeProxyRuleset(5000), Family::IPv4);
    if (!rules) {
        state.SkipWithError("generated ruleset did not parse");
        return;
    }
    auto shared = std::make_shared<const Ruleset>(std::move(rules).value());
    state.counters["rules"] = static_cast<double>(shared->ruleCount());
    for (auto _ : state)
        benchmark::DoNotOptimize(compile(shared));
}

const int kThreads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

} // namespace

BENCHMARK(BM_TraceDockerFixtures)->Threads(1)->Threads(kThreads)->UseRealTime();
BENCHMARK(BM_TraceKubeProxy70k)->Threads(1)->Threads(kThreads)->UseRealTime();
BENCHMARK(BM_TraceKubeProxy70kLinear)->Threads(1)->UseRealTime();
BENCHMARK(BM_CompileKubeProxy70k)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
