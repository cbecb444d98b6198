"""Issue 5 proof: a full vessel cycle through the API over real TLS.

visit -> discharge list -> discharge moves into the yard -> deliveries at the gate with holds
-> export gate-ins with VGM -> load moves -> departure; at the end every count reconciles and
every unit's history is complete. A planner, a yard clerk and a gate clerk each do their part;
refusals along the way change nothing and are audited.
"""
import json
import os
import unittest

from harness import USER_PASSWORD, ServerTestCase, container_id, run

VISIT = "ONE-2612W"


class VesselCycleTest(ServerTestCase):
    @classmethod
    def prepare(cls, data):
        cls.planner_secret = data.add_user("pia", ["planner"])
        cls.yard_secret = data.add_user("yuki", ["yard_clerk"])
        cls.gate_secret = data.add_user("goro", ["gate_clerk"])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One login each (a TOTP code is accepted once).
        cls.clients = {}
        for name, secret in (("pia", cls.planner_secret), ("yuki", cls.yard_secret),
                             ("goro", cls.gate_secret)):
            c = cls.server.client()
            r = c.login(name, USER_PASSWORD, secret)
            assert r.status == 201, r
            cls.clients[name] = c

    def login(self, name, _secret):
        return self.clients[name]

    def rehandle(self, yard, refusal, rehandled):
        """Shifts the unit a "not on top" refusal names (and, first, any above it)."""
        blocker_slot = refusal.rsplit("move the unit at ", 1)[1].split(" ")[0]
        block = blocker_slot.split("-")[0]
        units = self.ok(yard.request("GET", f"/api/v1/units?state=in_yard&block={block}"))
        blocker = [u for u in units["units"] if u["slot"] == blocker_slot][0]
        for _ in range(10):
            r = yard.request("POST", "/api/v1/yard/shifts",
                             {"container_id": blocker["container_id"]})
            if r.status == 409 and "not on top" in r.json["error"]["message"]:
                self.rehandle(yard, r.json["error"]["message"], rehandled)
                continue
            self.assertEqual(r.status, 200, r)
            self.assertNotEqual(r.json["slot"], blocker_slot)
            rehandled.append(blocker["container_id"])
            return
        self.fail("rehandles did not end")

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json

    def test_refusals_along_the_cycle_change_nothing(self):
        planner = self.login("pia", self.planner_secret)
        yard = self.login("yuki", self.yard_secret)
        gate = self.login("goro", self.gate_secret)

        self.ok(planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "A1", "bays": 10, "rows": 6, "tiers": 4},
                       {"name": "R1", "bays": 4, "rows": 2, "tiers": 3,
                        "reefer": ["01-07/1-2"]}],
            "berths": [{"name": "T1", "length_m": 350}]}))
        self.ok(planner.request("POST", "/api/v1/vessel-visits", {
            "id": VISIT, "vessel_name": "ONE HARMONY", "imo": "9321483", "berth": "T1",
            "eta": "2026-12-01T06:00:00Z", "etd": "2026-12-02T06:00:00Z"}), 201)

        # The discharge list: four import units on the vessel, one a reefer.
        imports = [container_id("IMP", 200000 + i) for i in range(4)]
        for i, cid in enumerate(imports):
            unit = {"container_id": cid, "size_type": "45R1" if i == 0 else "22G1",
                    "category": "import", "freight": "full", "line_operator": "ONE",
                    "gross_kg": 18000 + i * 1000, "inbound_visit": VISIT}
            if i == 0:
                unit["reefer"] = {"set_point_c": -18}
            self.ok(planner.request("POST", "/api/v1/units", unit), 201)
        # The load list: three export units received at the gate against a booking, with VGM.
        self.ok(planner.request("POST", "/api/v1/bookings", {
            "number": "BK-2612-1", "line_operator": "ONE", "outbound_visit": VISIT,
            "pod": "USLAX", "size_type": "22G1", "quantity": 3}), 201)
        exports = [container_id("EXP", 300000 + i) for i in range(3)]
        for i, cid in enumerate(exports):
            body = {"container_id": cid, "truck_plate": f"NGY-{i}", "size_type": "22G1",
                    "category": "export", "freight": "full", "line_operator": "ONE",
                    "gross_kg": 21000, "booking": "BK-2612-1"}
            no_vgm = gate.request("POST", "/api/v1/gate/in", body)
            self.assertEqual(no_vgm.status, 409, no_vgm)
            self.assertEqual(no_vgm.json["error"]["field"], "vgm")
            body["vgm"] = {"kg": 21000 + i, "method": "method1", "party": "SHIPPER KK"}
            r = self.ok(gate.request("POST", "/api/v1/gate/in", body), 201)
            self.assertEqual(r["unit"]["outbound_visit"], VISIT)

        counts = self.ok(planner.request("GET", f"/api/v1/vessel-visits/{VISIT}"))["counts"]
        self.assertEqual((counts["discharge_list"], counts["discharged"]), (4, 0))
        self.assertEqual((counts["load_list"], counts["loaded"]), (3, 0))

        # Not before the vessel is alongside.
        early = yard.request("POST", f"/api/v1/vessel-visits/{VISIT}/discharges",
                             {"container_id": imports[1]})
        self.assertEqual(early.status, 409, early)
        self.ok(planner.request("POST", f"/api/v1/vessel-visits/{VISIT}/phase",
                                {"phase": "arrived"}))

        # Discharge moves into the yard: the reefer goes to a plug, the others where allocated.
        slots = {}
        for cid in imports:
            u = self.ok(yard.request("POST", f"/api/v1/vessel-visits/{VISIT}/discharges",
                                     {"container_id": cid}))
            self.assertEqual(u["state"], "in_yard")
            slots[cid] = u["slot"]
        self.assertTrue(slots[imports[0]].startswith("R1-"), slots)
        not_listed = yard.request("POST", f"/api/v1/vessel-visits/{VISIT}/discharges",
                                  {"container_id": exports[0]})
        self.assertEqual(not_listed.status, 409, not_listed)

        # Departure is refused while the load list is not on board.
        early_departure = planner.request("POST", f"/api/v1/vessel-visits/{VISIT}/phase",
                                          {"phase": "completed"})
        self.assertEqual(early_departure.status, 200, early_departure)
        refused = planner.request("POST", f"/api/v1/vessel-visits/{VISIT}/phase",
                                  {"phase": "departed"})
        self.assertEqual(refused.status, 409, refused)
        self.assertIn("have not been loaded", refused.json["error"]["message"])
        # Loading after the visit is completed is refused too; nothing moved.
        late = yard.request("POST", f"/api/v1/vessel-visits/{VISIT}/loads",
                            {"container_id": exports[0], "vessel_slot": "0340282"})
        self.assertEqual(late.status, 409, late)
        unit = self.ok(planner.request("GET", f"/api/v1/units/{exports[0]}"))
        self.assertEqual(unit["state"], "in_yard")
        self.assertEqual([m["kind"] for m in unit["moves"]], ["gate_in"])
        counts = self.ok(planner.request("GET", f"/api/v1/vessel-visits/{VISIT}"))["counts"]
        self.assertEqual((counts["discharged"], counts["loaded"]), (4, 0))

    def test_full_vessel_cycle_reconciles(self):
        planner = self.login("pia", self.planner_secret)
        yard = self.login("yuki", self.yard_secret)
        gate = self.login("goro", self.gate_secret)
        visit = "MSC-2613E"
        self.ok(planner.request("PUT", "/api/v1/yard/layout", {
            "blocks": [{"name": "B1", "bays": 10, "rows": 6, "tiers": 4}]}))
        self.ok(planner.request("POST", "/api/v1/vessel-visits", {
            "id": visit, "vessel_name": "MSC AYA", "imo": "9074729", "berth": "T1",
            "eta": "2026-12-03T06:00:00Z", "etd": "2026-12-04T06:00:00Z"}), 201)
        imports = [container_id("MIM", 400000 + i) for i in range(3)]
        for cid in imports:
            self.ok(planner.request("POST", "/api/v1/units", {
                "container_id": cid, "size_type": "22G1", "category": "import",
                "freight": "full", "line_operator": "MSC", "gross_kg": 15000,
                "inbound_visit": visit}), 201)
        self.ok(planner.request("POST", "/api/v1/bookings", {
            "number": "BK-2613-1", "line_operator": "MSC", "outbound_visit": visit,
            "pod": "SGSIN", "size_type": "45G1", "quantity": 2}), 201)
        exports = [container_id("MEX", 500000 + i) for i in range(2)]
        for i, cid in enumerate(exports):
            self.ok(gate.request("POST", "/api/v1/gate/in", {
                "container_id": cid, "truck_plate": f"TRK-{i}", "size_type": "45G1",
                "category": "export", "freight": "full", "line_operator": "MSC",
                "gross_kg": 26000, "booking": "BK-2613-1",
                "vgm": {"kg": 26100, "method": "method2", "party": "SHIPPER"}}), 201)
        self.ok(planner.request("POST", f"/api/v1/vessel-visits/{visit}/phase",
                                {"phase": "arrived"}))
        for cid in imports:
            self.ok(yard.request("POST", f"/api/v1/vessel-visits/{visit}/discharges",
                                 {"container_id": cid}))
        after_discharge = self.ok(planner.request("GET", f"/api/v1/vessel-visits/{visit}"))
        self.assertEqual(after_discharge["phase"], "working")

        # Load moves, from the top of the stack down (the allocator stacked the booking's units
        # together: loading the lower one first is refused); an export on customs hold is
        # refused until released.
        bottom = yard.request("POST", f"/api/v1/vessel-visits/{visit}/loads",
                              {"container_id": exports[0], "vessel_slot": "0300282"})
        self.assertEqual(bottom.status, 409, bottom)
        self.assertIn("not on top of its stack", bottom.json["error"]["message"])
        self.ok(planner.request("POST", f"/api/v1/units/{exports[1]}/holds",
                                {"kind": "customs", "reason": "export declaration"}))
        for n, cid in reversed(list(enumerate(exports))):
            body = {"container_id": cid, "vessel_slot": f"03{n}0282"}
            r = yard.request("POST", f"/api/v1/vessel-visits/{visit}/loads", body)
            if n == 1:
                self.assertEqual(r.status, 409, r)
                self.assertIn("customs hold", r.json["error"]["message"])
                self.ok(planner.request("DELETE", f"/api/v1/units/{cid}/holds/customs"))
                r = yard.request("POST", f"/api/v1/vessel-visits/{visit}/loads", body)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["state"], "loaded")

        # Deliveries at the gate: one import on a line hold, released, then collected with
        # the PIN the line gave its haulier.
        self.ok(planner.request("POST", f"/api/v1/units/{imports[2]}/holds",
                                {"kind": "line", "reason": "freight unpaid"}))
        rehandled = []
        for n, cid in enumerate(imports):
            pin = f"{700000 + n}"
            self.ok(planner.request("POST", f"/api/v1/units/{cid}/release", {"pin": pin}))
            out = gate.request("POST", "/api/v1/gate/out",
                               {"container_id": cid, "truck_plate": f"HL-{n}", "pin": pin})
            while out.status == 409 and "not on top" in out.json["error"]["message"]:
                # Rehandles: the yard clerk shifts the units above to other slots first.
                self.rehandle(yard, out.json["error"]["message"], rehandled)
                out = gate.request("POST", "/api/v1/gate/out",
                                   {"container_id": cid, "truck_plate": f"HL-{n}", "pin": pin})
            if n == 2:
                self.assertEqual(out.status, 409, out)
                self.ok(planner.request("DELETE", f"/api/v1/units/{cid}/holds/line"))
                out = gate.request("POST", "/api/v1/gate/out",
                                   {"container_id": cid, "truck_plate": f"HL-{n}", "pin": pin})
            self.assertEqual(out.status, 201, out)

        self.ok(planner.request("POST", f"/api/v1/vessel-visits/{visit}/phase",
                                {"phase": "completed"}))
        self.ok(planner.request("POST", f"/api/v1/vessel-visits/{visit}/phase",
                                {"phase": "departed"}))
        final = self.ok(planner.request("GET", f"/api/v1/vessel-visits/{visit}"))
        self.assertEqual(final["phase"], "departed")
        c = final["counts"]
        self.assertEqual((c["discharge_list"], c["discharged"], c["on_board_to_discharge"]),
                         (3, 3, 0))
        self.assertEqual((c["load_list"], c["loaded"], c["to_load"]), (2, 2, 0))
        self.assertEqual(self.ok(planner.request("GET", "/api/v1/bookings/BK-2613-1"))
                         ["delivered"], 2)

        # The same cycle as the lines receive it: EDIFACT written by Minato and read back.
        def exported(*args):
            out = run(["edi", "export", *args, "--data", self.data.path]).stdout
            path = os.path.join(self.data.root, "export.edi")
            with open(path, "w") as f:
                f.write(out)
            return json.loads(run(["edi", "inspect", path, "--json", "--strictness",
                                   "strict"]).stdout)
        bay_plan = exported("baplie", "--visit", visit)
        self.assertEqual((bay_plan["containers"], bay_plan["positions"], bay_plan["error_count"]),
                         (2, 2, 0))
        loads = exported("coarri", "--visit", visit, "--kind", "load")
        self.assertEqual((loads["containers"], loads["positions"], loads["error_count"]),
                         (2, 2, 0))
        self.assertEqual(exported("coarri", "--visit", visit, "--kind", "discharge")["containers"],
                         3)
        day = ["--from", "2020-01-01T00:00:00Z", "--until", "2040-01-01T00:00:00Z"]
        self.assertGreaterEqual(exported("codeco", "--kind", "out", *day)["containers"], 3)
        self.assertGreaterEqual(exported("codeco", "--kind", "in", *day)["containers"], 2)

        # Every unit's history is complete, move by move, with who did it.
        for cid in imports:
            u = self.ok(planner.request("GET", f"/api/v1/units/{cid}"))
            self.assertEqual(u["state"], "departed")
            shifts = ["yard_shift"] * rehandled.count(cid)
            self.assertEqual([m["kind"] for m in u["moves"]],
                             ["discharge"] + shifts + ["gate_out"])
            self.assertEqual(u["moves"][0]["from"], f"vessel:{visit}")
            self.assertEqual([m["by"] for m in u["moves"]],
                             ["user:yuki"] * (1 + len(shifts)) + ["user:goro"])
            # Each move starts where the one before it ended.
            for before, after in zip(u["moves"], u["moves"][1:]):
                self.assertEqual(before["to"], after["from"])
        for n, cid in enumerate(exports):
            u = self.ok(planner.request("GET", f"/api/v1/units/{cid}"))
            self.assertEqual(u["state"], "departed")
            self.assertEqual([m["kind"] for m in u["moves"]], ["gate_in", "load"])
            self.assertEqual(u["moves"][1]["to"], f"vessel:{visit}:03{n}0282")
            self.assertEqual(u["moves"][0]["to"], u["moves"][1]["from"])
        # Nothing of this visit is left in the yard.
        left = self.ok(planner.request("GET", f"/api/v1/units?visit={visit}&state=in_yard"))
        self.assertEqual(left["units"], [])


if __name__ == "__main__":
    unittest.main()
