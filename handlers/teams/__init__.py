"""The Microsoft Teams channel (Bot Framework, botbuilder-core 4.17.1).

Microsoft archived the Bot Framework SDK at the end of 2025; its successor is the Microsoft 365 Agents
SDK (``microsoft-agents-*``). Every import of ``botbuilder`` or ``botframework`` in the project is in
this folder, so moving to the successor is a change here and nowhere else:

=================  ==========================================================================  =========
module             what it does                                                                botbuilder
=================  ==========================================================================  =========
``config``         ``MICROSOFT_APP_*`` settings, checked at start-up                           no
``cards``          neutral messages ⇄ Adaptive Cards 1.5 and submitted card data               no
``inbound``        an activity's sender, chat kind and typed text                              yes
``references``     conversation references kept in ``ChatIdentity.address``                    yes
``bot``            the ``TeamsActivityHandler``: activities → ``MentorBot.handle`` → cards      yes
``endpoint``       ``POST /api/messages``, authentication, the 4.17.x invoke workaround        yes
``sender``         the outbox sender (``continue_conversation``)                               yes
``msrest_fix``     a set instead of a list in msrest's retry policy: ~15 ms less CPU per turn  yes
``mount``          wiring into ``serve`` and ``tick``                                          yes
``package``        the Teams app package (manifest v1.29 + icons)                              no
``icons``          the two app icons, drawn in code                                            no
``playground``     the Microsoft 365 Agents Playground for local use (``make playground``)     no
=================  ==========================================================================  =========
"""
