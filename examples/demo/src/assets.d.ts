/** Vite's `?url` imports: the URL of the file, emitted as an asset of the build. */
declare module '*?url' {
  const url: string;
  export default url;
}
