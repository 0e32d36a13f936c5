import { Testing } from "../lib/cdktf";

Testing.setupJest();
