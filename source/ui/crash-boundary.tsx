import React, {type ErrorInfo, type ReactNode} from 'react';

type Props = {children: ReactNode; onCrash: (error: unknown, componentStack: string) => void};

/**
 * Catches an error thrown while rendering or in an effect below it, so that Ink's own error
 * screen (a stack trace) never shows: the app hands it to `onCrash` and renders nothing more.
 */
export class CrashBoundary extends React.Component<Props, {crashed: boolean}> {
	override state = {crashed: false};

	static getDerivedStateFromError(): {crashed: boolean} {
		return {crashed: true};
	}

	override componentDidCatch(error: unknown, info: ErrorInfo): void {
		this.props.onCrash(error, info.componentStack ?? '');
	}

	override render(): ReactNode {
		return this.state.crashed ? null : this.props.children;
	}
}
