// InterfaceAddress: one address of one of the machine's network interfaces, as plain data (what
// io::ListInterfaceAddresses reports and config::PlanListen judges). Value type.
#ifndef TEMPUS_CORE_NET_INTERFACE_ADDRESS_H_
#define TEMPUS_CORE_NET_INTERFACE_ADDRESS_H_

#include <string>

#include "core/net/net_address.h"

namespace tempus::core {

struct InterfaceAddress {
  std::string name;       // "eth0", or an IPv4 alias label such as "eth0:1"
  NetAddress address;     // port 0
  bool loopback = false;  // IFF_LOOPBACK
};

}  // namespace tempus::core

#endif  // TEMPUS_CORE_NET_INTERFACE_ADDRESS_H_
