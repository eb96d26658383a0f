import { useInterrupt } from '@copilotkit/react-core/v2';

/**
 * Shows the approvals the server asks for (actions declared with `approval`) in the chat, and
 * answers them: CopilotKit resumes the run with the user's decision, and the server runs the
 * action only if it was approved.
 */
export function ApprovalPrompt() {
  useInterrupt({
    agentId: 'default',
    render: ({ interrupt, resolve }) =>
      !interrupt ? (
        <></>
      ) : (
        <div className="tool-card approval-card" data-testid="approval-card">
          <span>{interrupt.message ?? 'Allow this action?'}</span>
          <button data-testid="approve" onClick={() => void resolve({ approved: true })}>
            Approve
          </button>
          <button data-testid="decline" onClick={() => void resolve({ approved: false })}>
            Decline
          </button>
        </div>
      ),
  });
  return null;
}
