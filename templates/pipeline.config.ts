// clipgraph configuration: providers, models, prices and limits.
// Every setting has a default; see the clipgraph README for all of them.
export default {
  defaultProject: '__PROJECT__',
  providers: { image: 'sim', video: 'sim' },
};
