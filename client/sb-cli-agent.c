#define G_LOG_DOMAIN "sb-cli-agent"

#include "config.h"

#include "sb-cli-agent.h"

#include <unistd.h>

#define POLKIT_AGENT_I_KNOW_API_IS_SUBJECT_TO_CHANGE
#include <polkitagent/polkitagent.h>

typedef struct {
  PolkitAgentListener *listener; /* (owned) */
  gpointer             handle;   /* (owned) registration */
} Agent;

static void
agent_free (Agent *agent)
{
  if (agent == NULL)
    return;
  polkit_agent_listener_unregister (agent->handle);
  g_object_unref (agent->listener);
  g_free (agent);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Agent, agent_free)

static Agent *
agent_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAgentListener) listener = NULL;
  g_autoptr(PolkitSubject) subject = NULL;
  gpointer handle;
  Agent *agent;

  /* Without a terminal nobody could answer the prompt. */
  if (!isatty (STDIN_FILENO))
    return NULL;

  listener = polkit_agent_text_listener_new (NULL, &error);
  if (listener == NULL)
    {
      g_debug ("No text authentication agent: %s", error->message);
      return NULL;
    }

  /* For this process only: a desktop's agent for the session stays in
   * place for everything else. The listener runs in its own thread since
   * the method call below blocks this one. */
  subject = polkit_unix_process_new_for_owner (getpid (), 0, getuid ());
  handle = polkit_agent_listener_register (listener,
                                           POLKIT_AGENT_REGISTER_FLAGS_RUN_IN_THREAD,
                                           subject, NULL, NULL, &error);
  if (handle == NULL)
    {
      g_debug ("Could not register an authentication agent: %s", error->message);
      return NULL;
    }

  agent = g_new0 (Agent, 1);
  agent->listener = g_steal_pointer (&listener);
  agent->handle = handle;
  return agent;
}

GVariant *
sb_cli_call_interactive (GDBusProxy  *proxy,
                         const char  *method,
                         GVariant    *parameters,
                         GError     **error)
{
  g_autoptr(Agent) agent = agent_new ();

  return g_dbus_proxy_call_sync (proxy, method, parameters,
                                 G_DBUS_CALL_FLAGS_NO_AUTO_START |
                                 G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                                 agent != NULL ? G_MAXINT : -1,
                                 NULL, error);
}
