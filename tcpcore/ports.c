/*
 * ports.c - which ports look like a server's: the orientation rule of
 * machine.c and zeek.c when no SYN says who opened the connection.
 */
#include <stddef.h>

#include "internal.h"

/* Ports of the protocol analyzers Zeek registers (its likely_server_ports)
 * that matter for orientation; sorted for the binary search. */
static const uint16_t server_ports[] = {
	21,   22,   23,   25,   42,   53,   79,   80,   81,   88,   102,
	110,  111,  113,  135,  137,  139,  143,  161,  179,  389,  443,
	445,  465,  502,  513,  514,  587,  631,  636,  989,  990,  992,
	993,  995,  1080, 1194, 1433, 1521, 1723, 1883, 2049, 2181, 3128,
	3306, 3389, 5060, 5061, 5222, 5223, 5269, 5432, 5672, 5900, 6379,
	6666, 6667, 6668, 6669, 8000, 8080, 8443, 8883, 8888, 9092, 11211,
	20000, 27017,
};

int tc_likely_server_port(uint16_t port)
{
	size_t lo = 0, hi = sizeof(server_ports) / sizeof(server_ports[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (server_ports[mid] == port)
			return 1;
		if (server_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
