// Entry of the static page: the app shell (which hosts <image-inspector> and the cloud panel).
import './app-shell.ts';
