#include <cstdio>
#include <cstring>

int main(int argc, char** argv)
{
    if (argc > 1 && (std::strcmp(argv[1], "--version") == 0)) {
        std::printf("chainsight-cli %s\n", CHAINSIGHT_VERSION);
        return 0;
    }
    std::fprintf(stderr, "usage: chainsight-cli <command> ...\n");
    return 2;
}
