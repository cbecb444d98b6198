// The roles an account can hold, as the server defines them (src/access/roles.cpp): the
// operational ones first, then the administrative ones, split by purpose (G2.1.1-j).
export const ROLES = [
  'planner', 'yard_clerk', 'gate_clerk', 'viewer', 'line_client', 'haulier_client',
  'user_admin', 'security_officer', 'auditor', 'backup_operator', 'asset_manager', 'config_reader',
  'config_changer',
  'maintenance_vendor',
];
