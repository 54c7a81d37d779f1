// Parser throughput and memory on large generated rulesets, next to iptables-restore --test on the same text.
//
//   bench_parsers [--write DIR] [benchmark options]
//
// Prints MB/s per input (Google Benchmark's bytes_per_second), then for each input the peak memory the parse
// needed (VmHWM after resetting it) and the time iptables-restore --test takes inside a private network
// namespace (csb-bench-<pid>, removed afterwards).

#include "model/parse/iptables.h"
#include "rulesetgenerator.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Input {
    const char* name;
    std::string text;
};

Input& kubeProxy()
{
    static Input in { "kube-proxy-5000-services", bench::kubeProxyRuleset(5000) };
    return in;
}

Input& dockerHost()
{
    static Input in { "docker-200-networks-1000-ports", bench::dockerHostRuleset(200, 1000) };
    return in;
}

void parseSave(benchmark::State& state, Input& (*input)())
{
    const std::string& text = input().text;
    std::size_t rules = 0;
    for (auto _ : state) {
        auto rs = model::parse::parseIptablesSave(text, model::Family::IPv4);
        if (!rs.ok()) {
            state.SkipWithError(rs.error().toString().c_str());
            return;
        }
        rules = rs->ruleCount();
        benchmark::DoNotOptimize(rs);
        state.PauseTiming(); // freeing the ruleset is not part of reading it
        { [[maybe_unused]] auto gone = std::move(rs); }
        state.ResumeTiming();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["rules"] = static_cast<double>(rules);
    state.counters["MB"] = static_cast<double>(text.size()) / 1e6;
}

void detectAndParse(benchmark::State& state, Input& (*input)())
{
    const std::string& text = input().text;
    for (auto _ : state) {
        auto rs = model::parse::parseRulesetText(text);
        benchmark::DoNotOptimize(rs);
        state.PauseTiming();
        { [[maybe_unused]] auto gone = std::move(rs); }
        state.ResumeTiming();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

BENCHMARK_CAPTURE(parseSave, kubeProxy, &kubeProxy)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(parseSave, dockerHost, &dockerHost)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(detectAndParse, kubeProxy, &kubeProxy)->Unit(benchmark::kMillisecond);

long statusKb(const char* field)
{
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(field, 0) == 0)
            return std::strtol(line.c_str() + std::string(field).size(), nullptr, 10);
    return -1;
}

// Peak resident memory the parse adds on top of the input it reads. Measured in a child process after
// returning free heap to the system, so memory freed by earlier runs cannot hide what the parse needs.
void reportPeakMemory(const Input& in)
{
    std::fflush(stdout);
    const pid_t child = fork();
    if (child != 0) {
        waitpid(child, nullptr, 0);
        return;
    }
    malloc_trim(0);
    std::ofstream("/proc/self/clear_refs") << "5"; // resets VmHWM to the current RSS
    const long before = statusKb("VmRSS:");
    double seconds = 0;
    std::size_t rules = 0;
    {
        const auto t0 = std::chrono::steady_clock::now();
        auto rs = model::parse::parseIptablesSave(in.text, model::Family::IPv4);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!rs.ok())
            std::printf("%s: parse failed: %s\n", in.name, rs.error().toString().c_str());
        else
            rules = rs->ruleCount();
    }
    const long peak = statusKb("VmHWM:");
    const double inputMb = static_cast<double>(in.text.size()) / 1e6;
    const double addedMb = static_cast<double>(peak - before) * 1024.0 / 1e6;
    std::printf("%s: %.2f MB, %zu rules; first parse %.1f ms (%.0f MB/s), peak memory added %.1f MB = %.1fx input\n",
        in.name, inputMb, rules, seconds * 1e3, inputMb / seconds, addedMb, addedMb / inputMb);
    std::fflush(stdout);
    _exit(0);
}

// Times "iptables-restore --test" on the same text in a namespace of our own, so the host is never touched.
void reportIptablesRestore(const Input& in)
{
    const std::string ns = "csb-bench-" + std::to_string(getpid());
    const std::string file = "/tmp/" + ns + ".rules";
    std::ofstream(file, std::ios::binary) << in.text;
    if (std::system(("ip netns add " + ns).c_str()) != 0) {
        std::printf("%s: iptables-restore --test not timed (cannot create network namespace %s)\n", in.name, ns.c_str());
        std::remove(file.c_str());
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = std::system(("ip netns exec " + ns + " iptables-restore --test < " + file).c_str());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::system(("ip netns delete " + ns).c_str());
    std::remove(file.c_str());
    const double mb = static_cast<double>(in.text.size()) / 1e6;
    std::printf("%s: iptables-restore --test %s in %.0f ms (%.1f MB/s)\n", in.name, rc == 0 ? "passed" : "FAILED",
        seconds * 1e3, mb / seconds);
}

} // namespace

int main(int argc, char** argv)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--write") {
            for (const Input* in : { &kubeProxy(), &dockerHost() })
                std::ofstream(std::string(argv[i + 1]) + '/' + in->name + ".rules", std::ios::binary) << in->text;
            return 0;
        }
    benchmark::Initialize(&argc, argv);
    for (const Input* in : { &kubeProxy(), &dockerHost() })
        reportPeakMemory(*in);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    for (const Input* in : { &kubeProxy(), &dockerHost() })
        reportIptablesRestore(*in);
    return 0;
}
