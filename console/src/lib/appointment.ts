// A truck appointment as the API gives it (GET /api/v1/gate/appointments/{id}).
export interface Appointment {
  id: number;
  slot_start: string;
  slot_end: string;
  direction: string;
  container_id: string;
  truck_plate: string;
  haulier: string;
  state: string;
}
