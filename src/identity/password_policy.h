// PasswordPolicy: what a password must be before Minato stores its hash.
// G2.1.1-c / G2.2.2-b: at least 12 characters with upper case, lower case, a digit and a
// symbol. G2.2.2-a / G2.2.2-c: not a known common or guessable password — judged by zxcvbn's
// dictionaries (common passwords, names, words, keyboard patterns), not a hand-made list —
// and not built on the user name.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace minato::identity {

// G2.2.2-b: separate policies per use. A login password is typed many times a day; a backup
// passphrase protects the backups that must survive a ransomware attack, is typed rarely and
// kept sealed, so it must be a long passphrase rather than a complex short word.
enum class PasswordUse { kLogin, kBackupPassphrase };

struct PasswordPolicy {
  size_t min_length = 12;
  size_t max_length = 256;       // bounds the work an attacker can make us do
  double min_entropy_bits = 50;  // zxcvbn's estimate; a common password scores far below
  bool require_classes = true;   // upper, lower, digit and symbol
  const char* field = "password";

  static PasswordPolicy for_use(PasswordUse use) {
    PasswordPolicy p;
    if (use == PasswordUse::kBackupPassphrase) {
      p.min_length = 20;
      p.min_entropy_bits = 80;
      p.require_classes = false;  // length and unpredictability carry it
      p.field = "passphrase";
    }
    return p;
  }
};

// The whole rule in words, as help texts and the docs give it: "12+ characters with an
// upper-case letter, a lower-case letter, a digit and a symbol; not a common or easily
// guessed password; not containing the user name".
std::string describe(const PasswordPolicy& policy);

// Ok when `password` satisfies the policy for `username`; otherwise an error (field
// "password") saying every rule it breaks, and then the whole rule, without echoing the
// password.
Status check_password(const PasswordPolicy& policy, std::string_view username,
                      std::string_view password);

}  // namespace minato::identity
