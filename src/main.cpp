// minato: the whole product in one binary. See `minato --help`.
#include <sys/stat.h>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Everything Minato creates (data directory, keys, database and its WAL) is private to the
  // service account, whatever the caller's umask.
  ::umask(077);
  return minato::cli::run(argc, argv);
}
