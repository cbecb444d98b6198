// JSON views of domain values, shared by API responses, audit change records and stored
// idempotent responses, so all describe a unit or a visit the same way.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "app/asset_service.h"
#include "app/config_service.h"
#include "app/identity_service.h"
#include "app/key_service.h"
#include "app/software_service.h"
#include "app/upgrade_service.h"
#include "app/vulnerability_service.h"
#include "audit/log.h"
#include "store/store.h"
#include "terminal/layout.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::app {

boost::json::object to_json(const terminal::Unit& unit);
boost::json::object to_json(const terminal::VesselVisit& visit);
boost::json::object to_json(const terminal::YardBlock& block);
boost::json::object to_json(const terminal::TerminalLayout& layout);
boost::json::object to_json(const store::BookingRecord& booking);
boost::json::object to_json(const store::GateSlotRecord& slot);
boost::json::object to_json(const store::AppointmentRecord& appointment);
boost::json::object to_json(const store::TruckVisitRecord& truck);
boost::json::object to_json(const store::MediaIntakeRecord& record);
// G3.1: an incident (its report as an object), a timeline entry, a measure in force.
boost::json::object to_json(const store::IncidentRecord& incident);
boost::json::object to_json(const store::IncidentEntry& entry);
boost::json::object to_json(const store::ContainmentRecord& measure);
boost::json::object to_json(const store::AssetRecord& asset);
boost::json::object to_json(const store::WorkRecord& work);
// `now_us` marks a loan not returned by its due time as overdue.
boost::json::object to_json(const store::MediaLoanRecord& loan, int64_t now_us = 0);
boost::json::object to_json(const AssetView& view);
boost::json::object to_json(const secops::SoftwareComponent& component);
// The list's record and its components (`with_components` false: the record and count only).
boost::json::object to_json(const SoftwareListView& list, bool with_components = true);
boost::json::object to_json(const UpgradeCheck& check);
boost::json::object to_json(const FindingView& finding);
boost::json::object to_json(const VulnRegister& reg);
boost::json::object to_json(const FeedImport& report);
// Configuration control: the running configuration with its provenance, a version (its text
// only when `with_text`), a proposal.
boost::json::object to_json(const ConfigView& view);
boost::json::object to_json(const store::ConfigVersionRecord& version, bool with_text = false);
boost::json::object to_json(const ConfigProposal& proposal);
// The settings a change changes: [{setting, from, to, security}].
boost::json::array to_json(const std::vector<config::SettingChange>& changes);
// G2.3-c: a key of the inventory.
boost::json::object to_json(const KeyView& key);
// `audit verify`'s result, as the CLI (--json) and the API give it.
boost::json::object to_json(const audit::VerifyReport& report);

// How the owner of a new or reset account enrols: the one-time token and the API address to
// post it to with a password of their choice ({username, enrolment_token, expires,
// enrolment_api}). `origin` is webauthn.origin, where users reach this server. The token is
// handed over in person or by a separate channel; it is never a link to a page that does not
// exist (the console's enrolment page joins this view when the console serves it).
boost::json::object enrolment_view(const std::string& origin, const CreatedUser& c);

// An audit change record: the view `o` with the table and operation it changed.
std::string change_json(boost::json::object o, const char* table, const char* op);

}  // namespace minato::app
