// minato: the whole product in one binary. See `minato --help`.
#include "cli/cli.h"

int main(int argc, char** argv) { return minato::cli::run(argc, argv); }
