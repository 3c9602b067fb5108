#include <config.h>
/* placeholder: implementation in progress */
