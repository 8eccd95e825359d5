/** Which page is showing. The app has two, so a plain value stands in for a router. */
export type Route = { page: 'calendars' } | { page: 'calendar'; id: number };

/** A message a page hands to the next one, e.g. why the calendar page closed. */
export type Notice = { kind: 'error' | 'status'; message: string };
