// Copies the icons next to the compiled files, at the same relative paths as in the sources
// (nodes reference `file:../../icons/x.svg`, credentials `file:../icons/x.svg`; both resolve to dist/icons/).
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
