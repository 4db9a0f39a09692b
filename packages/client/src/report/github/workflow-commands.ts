// GitHub Actions reads `::name key=value,...::message` lines on stdout as workflow commands. Its runner decodes
// %25, %0D, %0A (and in properties %3A, %2C) back, so a message or a path holding them cannot end the command or
// start another one early: https://docs.github.com/actions/reference/workflow-commands-for-github-actions

/** A command's message: `%`, CR and LF escaped. */
export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A property's value: as the message, and also `:` and `,`, which would end the value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** One workflow command line, ending in a newline. */
export function workflowCommand(
  name: string,
  properties: Readonly<Record<string, string | number | undefined>>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props.length > 0 ? ` ${props}` : ''}::${escapeData(message)}\n`;
}
