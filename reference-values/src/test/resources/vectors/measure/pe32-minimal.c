int _start(void){return 42;}
int data[100]={1,2,3};
