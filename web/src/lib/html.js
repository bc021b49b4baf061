// html: the htm tagged template bound to preact's h, plus the preact/hooks re-exports the apps use.
import { h, render } from 'preact';
import htm from 'htm';
export { useState, useEffect, useRef, useMemo, useCallback, useReducer } from 'preact/hooks';
export const html = htm.bind(h);
export { h, render };
