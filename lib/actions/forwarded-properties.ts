/** A run's `forwardedProps` as CopilotKit's `properties`: always an object, so `properties.x` never throws. */
export function propertiesOf(forwardedProps: unknown): Record<string, unknown> {
  return typeof forwardedProps === 'object' && forwardedProps !== null && !Array.isArray(forwardedProps)
    ? (forwardedProps as Record<string, unknown>)
    : {};
}
