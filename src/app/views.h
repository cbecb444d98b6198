// JSON views of domain values, shared by API responses and audit change records so both
// describe a unit or a visit the same way.
#pragma once

#include <boost/json/object.hpp>

#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::app {

boost::json::object to_json(const terminal::Unit& unit);
boost::json::object to_json(const terminal::VesselVisit& visit);

}  // namespace minato::app
