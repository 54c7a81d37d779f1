#pragma once

// The fixed parts of a generated remediation script: the option parser, the guards, backup, rollback,
// confirmation and the rule helpers. scriptgenerator.cpp puts the per-fix parts around them.

namespace model::fix::scripttext {

// After the header and the settings: helpers, option parsing, guards. Expects EXPECTED_HOST,
// EXPECTED_DOCKER, EXPECTED_DOCKER_MAJOR, ROLLBACK_SECONDS and DRY_RUN to be set.
extern const char* const kRuntime;

// The last part: runs the generated functions preflight, apply_all, undo_all, install_units, remove_units,
// persistence_note and print_manual_steps.
extern const char* const kMain;

// The rule helper of the boot-time script a systemd unit runs.
extern const char* const kUnitHelper;

} // namespace model::fix::scripttext
