/**
 * The suite a run belongs to when the client names none: the image's repository, without tag or digest, so that
 * `app-tests:pr-123` and `app-tests:main` learn from each other (a new tag is a new build of the same suite).
 */
export function suiteOfImage(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}
