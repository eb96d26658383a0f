import { useFrontendTool } from '@copilotkit/react-core/v2';
import { z } from 'zod';

/**
 * A frontend tool: the agent asks, the browser runs it. It changes the page (the task is
 * highlighted) and tells the agent what happened; the server never executes it.
 */
export function HighlightTool({ onHighlight }: { onHighlight: (id: number) => void }) {
  useFrontendTool(
    {
      name: 'highlightTask',
      description: 'Highlight a task on the board so the user sees it',
      parameters: z.object({ id: z.number().describe('The id of the task') }),
      handler: async ({ id }) => {
        onHighlight(id);
        return { highlighted: id };
      },
      render: ({ args, status }) => (
        <div className="tool-card" data-testid="highlight-card" data-status={status}>
          Highlighting task {String(args.id ?? '…')}
        </div>
      ),
    },
    [onHighlight],
  );
  return null;
}
