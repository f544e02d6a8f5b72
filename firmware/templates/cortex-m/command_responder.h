/* Command responder: what the device does with a recognised command. Here it prints
 * "detected NAME at T ms (score 0.XYZ)" on the console (console.h); a product would light a LED. */
#ifndef COMMAND_RESPONDER_H
#define COMMAND_RESPONDER_H

#include <stdint.h>

void command_responder_respond(int32_t time_ms, int32_t label, float score);

#endif
