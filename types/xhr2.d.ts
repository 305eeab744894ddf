/** xhr2 (XMLHttpRequest for Node) ships no types; it exports a constructor compatible with the DOM one. */
declare module 'xhr2' {
  const XMLHttpRequest: { new (): XMLHttpRequest };
  export default XMLHttpRequest;
}
