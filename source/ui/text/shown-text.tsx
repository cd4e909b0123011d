import {Text as InkText, type TextProps} from 'ink';
import React from 'react';
import {visible} from '../../visible-text.js';

/**
 * Ink's `<Text>`, with every string child made {@link visible}: a name, a version or a check
 * description from HAProxy (or a user from the journal) is shown with its control characters
 * written out, never obeyed by the terminal (Ink itself keeps OSC and colour sequences). Every
 * component imports this `Text`, never Ink's (the linter holds it).
 */
export function Text({children, ...props}: TextProps) {
	return <InkText {...props}>{React.Children.map(children, (child) => (typeof child === 'string' ? visible(child) : child))}</InkText>;
}
