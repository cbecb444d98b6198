// The `minato` command line: one binary, subcommands in the style of vault/consul —
// `--help` everywhere, `--json` for scripts, exit codes from common/result.h's exit_code().
#pragma once

#include <string>

#include "app/runtime.h"
#include "app/setup.h"
#include "common/result.h"

namespace CLI {
class App;
}

namespace minato::cli {

int run(int argc, char** argv);

// Subcommand registration (one file each).
void add_init(CLI::App& app);
void add_serve(CLI::App& app);
void add_demo(CLI::App& app);
void add_audit(CLI::App& app);
void add_user(CLI::App& app);
void add_layout(CLI::App& app);
void add_edi(CLI::App& app);
void add_backup_commands(CLI::App& app);  // backup, restore, vault

// Shared helpers.
// Prints "minato: <message>" to stderr and returns the exit code for the error.
int report(const Error& e);
// Reads a secret from a file (one line; a trailing newline is dropped).
Result<std::string> read_secret_file(const std::string& path);
// Renders `text` as a QR code for a terminal (Unicode half blocks).
std::string qr_for_terminal(const std::string& text);

// Listen addresses given on the command line; each replaces its setting in minato.toml when
// not empty ("127.0.0.1:0" picks a free port, printed at start).
struct ListenOverrides {
  std::string api;         // server.listen
  std::string management;  // server.management_listen
  std::string vault;       // backup.vault_listen
};
// Adds --listen, --management-listen and --vault-listen to `cmd`.
void add_listen_options(CLI::App* cmd, ListenOverrides* o);

// Serves `runtime` until SIGTERM/SIGINT.
Status serve(app::Runtime& runtime, const ListenOverrides& listen);

}  // namespace minato::cli
